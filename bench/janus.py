"""The configuration of Janus for make bench, written into a temporary folder (never the
system's /etc/janus): only the VideoRoom plugin and the WebSocket transport, bound to the
server namespace's address, no STUN, a fixed RTP port range, and the rooms pre-made."""
import os

LIB = "/usr/lib/x86_64-linux-gnu/janus"
ROOM_BASE = 1000  # kamer-load's Janus adapter names room i as ROOM_BASE + i


def write_config(folder, ip, rooms, size, ws_port=8188):
    plugins = [p for p in os.listdir(f"{LIB}/plugins") if p.endswith(".so")]
    transports = [p for p in os.listdir(f"{LIB}/transports") if p.endswith(".so")]
    events = [p for p in os.listdir(f"{LIB}/events") if p.endswith(".so")]
    loggers = [p for p in os.listdir(f"{LIB}/loggers") if p.endswith(".so")]
    off = lambda names, keep: ",".join(n for n in names if n != keep)
    with open(os.path.join(folder, "janus.jcfg"), "w") as f:
        f.write(f"""general: {{
	configs_folder = "{folder}"
	plugins_folder = "{LIB}/plugins"
	transports_folder = "{LIB}/transports"
	events_folder = "{LIB}/events"
	loggers_folder = "{LIB}/loggers"
	log_to_stdout = true
	debug_level = 3
	protected_folders = ["/bin", "/boot", "/dev", "/etc", "/initrd", "/lib", "/lib32", "/lib64", "/proc", "/sbin", "/sys", "/usr", "/var"]
	server_name = "kamer-bench"
	session_timeout = 120
}}
certificates: {{
}}
media: {{
	rtp_port_range = "20000-40000"
}}
nat: {{
	nice_debug = false
	ice_ignore_list = "vmnet,lo"
	ignore_mdns = true
}}
plugins: {{
	disable = "{off(plugins, 'libjanus_videoroom.so')}"
}}
transports: {{
	disable = "{off(transports, 'libjanus_websockets.so')}"
}}
loggers: {{
	disable = "{",".join(loggers)}"
}}
events: {{
	broadcast = false
	disable = "{",".join(events)}"
}}
""")
    with open(os.path.join(folder, "janus.transport.websockets.jcfg"), "w") as f:
        f.write(f"""general: {{
	json = "compact"
	ws = true
	ws_port = {ws_port}
	ws_ip = "{ip}"
	wss = false
}}
admin: {{
	admin_ws = false
	admin_wss = false
}}
""")
    with open(os.path.join(folder, "janus.plugin.videoroom.jcfg"), "w") as f:
        f.write("general: {\n}\n")
        for i in range(rooms):
            f.write(f"""room-{ROOM_BASE + i}: {{
	description = "kamer bench {i}"
	publishers = {max(size, 2) + 2}
	bitrate = 2000000
	fir_freq = 10
	audiocodec = "opus"
	videocodec = "vp8"
	record = false
}}
""")
