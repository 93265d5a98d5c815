/* limits.h - every cap kamer enforces, in one place. */
#ifndef KAMER_BASE_LIMITS_H
#define KAMER_BASE_LIMITS_H

/* Control plane */
#define LIM_HTTP_BODY  16384  /* bytes in a REST request body */
#define LIM_WS_MESSAGE 172032 /* bytes in one WebSocket message: an SDP and its envelope */
#define LIM_JSON_DEPTH 8      /* nesting in any JSON we accept */
#define LIM_SESSIONS   4096   /* WebSocket sessions at once */
#define LIM_TITLE      200    /* bytes in a meeting title */
#define LIM_NAME       64     /* bytes in a display name */
#define LIM_CHAT       2000   /* bytes in one chat message */
#define LIM_LOGIN      64     /* bytes in a login name */
#define LIM_EMAIL      254    /* bytes in an e-mail address (RFC 5321 path limit) */
#define LIM_INVITEES   200    /* invitees named in one meeting request */
#define LIM_HOSTS      16     /* hosts of one meeting */
#define LIM_REPEAT     52     /* occurrences of a recurring meeting */
#define LIM_RATE_KEYS  4096   /* sources and accounts tracked by each rate limiter */
#define LIM_ID_LEN     32     /* characters in an identifier (base32 of 20 bytes) */

/* Media plane */
#define LIM_ROOMS             1024 /* rooms at once */
#define LIM_ROOM_PARTICIPANTS 64   /* participants in one room */
#define LIM_CONNS             4096 /* transports (ICE/DTLS) at once, per media worker */
#define LIM_MEDIA_WORKERS     64   /* media worker threads (a handle has 8 bits for one) */
#define LIM_TRACKS_PER_PUB    4    /* tracks one participant may publish */
#define LIM_SUB_TRACKS        256  /* tracks one subscriber may receive */
#define LIM_PACKET            1500 /* bytes in one UDP datagram we handle */
#define LIM_BATCH             32   /* datagrams per recvmmsg */
#define LIM_OUT               256  /* datagrams queued for one send (after GSO: fewer calls) */
#define LIM_GSO_SEGMENTS      64   /* datagrams in one GSO send (kernel: UDP_MAX_SEGMENTS) */
#define LIM_RTX_PACKETS       512  /* packets kept per video stream for NACK */
#define LIM_RTX_BYTES         (256 * 1024) /* and their bytes: 2 s at 1 Mbit/s */
#define LIM_NACK_SEQS         64           /* sequence numbers answered per NACK packet */
#define LIM_QUEUE             4096         /* messages in a control<->media queue */
#define LIM_SRTP_SSRCS        512          /* SSRCs per SRTP-GCM direction: 2 x LIM_SUB_TRACKS */

/* SDP */
#define LIM_SDP_LEN   163840 /* bytes in one SDP: a full room's subscribe offer is ~130 KiB */
#define LIM_SDP_MEDIA 192    /* m= sections: 63 others with microphone, camera and screen */
#define LIM_SDP_PT    32     /* payload types per m= section */
#define LIM_SDP_EXT   16     /* extmaps per m= section */
#define LIM_SDP_SSRC  8      /* ssrcs per m= section */

#endif
