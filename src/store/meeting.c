/* meeting.c - meetings, their people and invitations in SQLite. */
#include "store/meeting.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "store/sql.h"

static int64_t retention = 7 * 24 * 3600;

static const char *const steps[] = {
    /* 1: the walking skeleton's table, kept as it was. */
    "CREATE TABLE meetings ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " title TEXT NOT NULL,"
    " created_at INTEGER NOT NULL"
    ") WITHOUT ROWID;",
    /* 2: the access policy, people and invitations. */
    "ALTER TABLE meetings ADD COLUMN tenant TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE meetings ADD COLUMN creator TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE meetings ADD COLUMN start_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE meetings ADD COLUMN end_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE meetings ADD COLUMN level TEXT NOT NULL DEFAULT 'depv';"
    "ALTER TABLE meetings ADD COLUMN guests INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE meetings ADD COLUMN lobby INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE meetings ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE meetings ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;"
    "UPDATE meetings SET start_at = created_at, end_at = created_at + 3600;"
    "CREATE TABLE meeting_people ("
    " meeting TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE ON UPDATE CASCADE,"
    " user_id TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '',"
    " host INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (meeting, user_id, email)) WITHOUT ROWID;"
    "CREATE INDEX meeting_people_user ON meeting_people(user_id);"
    "CREATE TABLE invitations ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " meeting TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE ON UPDATE CASCADE,"
    " secret TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL DEFAULT '',"
    " email TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX invitations_meeting ON invitations(meeting);",
    /* 3: recurring meetings. */
    ("ALTER TABLE meetings ADD COLUMN repeat_days INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE meetings ADD COLUMN repeat_count INTEGER NOT NULL DEFAULT 1;"),
};

/* The end of a meeting's last occurrence, in SQL. */
#define LAST_END "(m.end_at + (m.repeat_count - 1) * m.repeat_days * 86400)"

int meeting_init(struct db *d, char *why, size_t cap)
{
	return db_migrate(d, "meetings", steps, sizeof(steps) / sizeof(steps[0]), why, cap);
}

void meeting_set_retention(struct db *d, int64_t seconds)
{
	(void)d;
	retention = seconds;
}

#define M_COLS                                                                                     \
	"m.id, m.tenant, m.creator, m.title, m.start_at, m.end_at, m.created_at, m.level,"         \
	" m.guests, m.lobby, m.locked, m.sequence, m.repeat_days, m.repeat_count"

static void meeting_row(sqlite3_stmt *st, struct meeting *m)
{
	sql_col(st, 0, m->id, sizeof(m->id));
	sql_col(st, 1, m->tenant, sizeof(m->tenant));
	sql_col(st, 2, m->creator, sizeof(m->creator));
	sql_col(st, 3, m->title, sizeof(m->title));
	m->start = sqlite3_column_int64(st, 4);
	m->end = sqlite3_column_int64(st, 5);
	m->created = sqlite3_column_int64(st, 6);
	sql_col(st, 7, m->level, sizeof(m->level));
	m->guests = sqlite3_column_int(st, 8);
	m->lobby = sqlite3_column_int(st, 9);
	m->locked = sqlite3_column_int(st, 10);
	m->sequence = (uint32_t)sqlite3_column_int64(st, 11);
	m->repeat_days = sqlite3_column_int(st, 12);
	m->repeat_count = sqlite3_column_int(st, 13);
}

int meeting_create(struct db *d, struct meeting *m)
{
	if (rnd_id(m->id) != 0)
		return ERR_IO;
	m->created = sql_now();
	sqlite3_stmt *st =
	    sql_prep(d, "INSERT INTO meetings (id, tenant, creator, title, start_at,"
	                " end_at, created_at, level, guests, lobby, locked, sequence,"
	                " repeat_days, repeat_count) VALUES (?,?,?,?,?,?,?,?,?,?,?,0,?,?)");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->tenant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->creator, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, m->start);
	sqlite3_bind_int64(st, 6, m->end);
	sqlite3_bind_int64(st, 7, m->created);
	sqlite3_bind_text(st, 8, m->level, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, m->guests);
	sqlite3_bind_int(st, 10, m->lobby);
	sqlite3_bind_int(st, 11, m->locked);
	sqlite3_bind_int(st, 12, m->repeat_days);
	sqlite3_bind_int(st, 13, m->repeat_count > 0 ? m->repeat_count : 1);
	m->sequence = 0;
	return sql_done(st);
}

int meeting_get(struct db *d, const char *id, int64_t now, struct meeting *out)
{
	sqlite3_stmt *st = sql_prep(d, "SELECT " M_COLS
	                               " FROM meetings m WHERE m.id = ? AND " LAST_END " + ? >= ?");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, retention);
	sqlite3_bind_int64(st, 3, now);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		meeting_row(st, out);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : ERR_IO;
}

int meeting_update(struct db *d, struct meeting *m)
{
	sqlite3_stmt *st = sql_prep(d, "UPDATE meetings SET title = ?, start_at = ?, end_at = ?,"
	                               " level = ?, guests = ?, lobby = ?, locked = ?,"
	                               " repeat_days = ?, repeat_count = ?,"
	                               " sequence = sequence + 1 WHERE id = ? RETURNING sequence");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, m->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, m->start);
	sqlite3_bind_int64(st, 3, m->end);
	sqlite3_bind_text(st, 4, m->level, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, m->guests);
	sqlite3_bind_int(st, 6, m->lobby);
	sqlite3_bind_int(st, 7, m->locked);
	sqlite3_bind_int(st, 8, m->repeat_days);
	sqlite3_bind_int(st, 9, m->repeat_count > 0 ? m->repeat_count : 1);
	sqlite3_bind_text(st, 10, m->id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		m->sequence = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : ERR_IO;
}

static int by_id(struct db *d, const char *sql, const char *id)
{
	sqlite3_stmt *st = sql_prep(d, sql);
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sql_done(st);
	return rc == 0 && sqlite3_changes(db_sqlite(d)) == 0 ? ERR_NOTFOUND : rc;
}

int meeting_delete(struct db *d, const char *id)
{
	return by_id(d, "DELETE FROM meetings WHERE id = ?", id);
}

int meeting_rotate(struct db *d, const char *old_id, char new_id[RND_ID_CHARS + 1])
{
	if (rnd_id(new_id) != 0)
		return ERR_IO;
	/* ON UPDATE CASCADE moves people and invitations along. */
	sqlite3_stmt *st =
	    sql_prep(d, "UPDATE meetings SET id = ?, sequence = sequence + 1 WHERE id = ?");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, new_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, old_id, -1, SQLITE_STATIC);
	int rc = sql_done(st);
	return rc == 0 && sqlite3_changes(db_sqlite(d)) == 0 ? ERR_NOTFOUND : rc;
}

int meeting_person_add(struct db *d, const char *meeting, const char *user_id, const char *email,
                       int host)
{
	sqlite3_stmt *st = sql_prep(d, "INSERT INTO meeting_people (meeting, user_id, email, host)"
	                               " VALUES (?,?,?,?) ON CONFLICT DO UPDATE SET"
	                               " host = max(host, excluded.host)");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, meeting, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user_id ? user_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, email ? email : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, host ? 1 : 0);
	return sql_done(st);
}

int meeting_people_clear(struct db *d, const char *meeting)
{
	int rc = by_id(d, "DELETE FROM meeting_people WHERE meeting = ?", meeting);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

int meeting_invitees_clear(struct db *d, const char *meeting)
{
	int rc = by_id(d, "DELETE FROM meeting_people WHERE meeting = ? AND host = 0", meeting);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

int meeting_person_remove(struct db *d, const char *meeting, const char *user_id, const char *email)
{
	sqlite3_stmt *st = sql_prep(d, "DELETE FROM meeting_people WHERE meeting = ? AND"
	                               " user_id = ? AND email = ? AND host = 0");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, meeting, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user_id ? user_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, email ? email : "", -1, SQLITE_STATIC);
	return sql_done(st);
}

int meeting_person_role(struct db *d, const char *meeting, const char *user_id)
{
	sqlite3_stmt *st = sql_prep(d, "SELECT max(host) FROM meeting_people WHERE meeting = ? AND"
	                               " user_id = ? AND user_id != ''");
	if (!st)
		return MEETING_NONE;
	sqlite3_bind_text(st, 1, meeting, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
	int role = MEETING_NONE;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		role = sqlite3_column_int(st, 0) ? MEETING_HOST : MEETING_INVITEE;
	sqlite3_finalize(st);
	return role;
}

int meeting_people(struct db *d, const char *meeting,
                   int (*cb)(void *arg, const char *user_id, const char *email, int host),
                   void *arg)
{
	sqlite3_stmt *st = sql_prep(d, "SELECT user_id, email, host FROM meeting_people"
	                               " WHERE meeting = ? ORDER BY host DESC, user_id, email");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, meeting, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char uid[RND_ID_CHARS + 1], email[LIM_EMAIL + 1];
		sql_col(st, 0, uid, sizeof(uid));
		sql_col(st, 1, email, sizeof(email));
		if (cb(arg, uid, email, sqlite3_column_int(st, 2)) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ERR_IO;
}

int meeting_list_for_user(struct db *d, const char *user_id, int64_t now,
                          int (*cb)(void *arg, const struct meeting *m, int role), void *arg)
{
	sqlite3_stmt *st = sql_prep(d, "SELECT " M_COLS ", max(p.host) FROM meetings m"
	                               " JOIN meeting_people p ON p.meeting = m.id"
	                               " WHERE p.user_id = ? AND " LAST_END " + ? >= ?"
	                               " GROUP BY m.id ORDER BY m.start_at, m.id");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, user_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, retention);
	sqlite3_bind_int64(st, 3, now);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct meeting m;
		meeting_row(st, &m);
		if (cb(arg, &m, sqlite3_column_int(st, 14) ? MEETING_HOST : MEETING_INVITEE) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ERR_IO;
}

int meeting_list_all(struct db *d, int (*cb)(void *arg, const struct meeting *m), void *arg)
{
	sqlite3_stmt *st =
	    sql_prep(d, "SELECT " M_COLS " FROM meetings m ORDER BY m.start_at, m.id");
	if (!st)
		return ERR_IO;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct meeting m;
		meeting_row(st, &m);
		if (cb(arg, &m) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ERR_IO;
}

#define I_COLS "i.id, i.meeting, i.secret, i.user_id, i.email, i.created_at"

static void inv_row(sqlite3_stmt *st, struct invitation *inv)
{
	sql_col(st, 0, inv->id, sizeof(inv->id));
	sql_col(st, 1, inv->meeting, sizeof(inv->meeting));
	sql_col(st, 2, inv->secret, sizeof(inv->secret));
	sql_col(st, 3, inv->user_id, sizeof(inv->user_id));
	sql_col(st, 4, inv->email, sizeof(inv->email));
	inv->created = sqlite3_column_int64(st, 5);
}

int invitation_create(struct db *d, const char *meeting, const char *user_id, const char *email,
                      struct invitation *out)
{
	memset(out, 0, sizeof(*out));
	if (rnd_id(out->id) != 0 || rnd_id(out->secret) != 0)
		return ERR_IO;
	snprintf(out->meeting, sizeof(out->meeting), "%s", meeting);
	snprintf(out->user_id, sizeof(out->user_id), "%s", user_id ? user_id : "");
	snprintf(out->email, sizeof(out->email), "%s", email ? email : "");
	out->created = sql_now();
	sqlite3_stmt *st =
	    sql_prep(d, "INSERT INTO invitations (id, meeting, secret, user_id, email,"
	                " created_at) VALUES (?,?,?,?,?,?)");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, out->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, out->meeting, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, out->secret, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, out->user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, out->email, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, out->created);
	return sql_done(st);
}

static int inv_one(sqlite3_stmt *st, struct invitation *out)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		inv_row(st, out);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOTFOUND : ERR_IO;
}

int invitation_find(struct db *d, const char *secret, int64_t now, struct invitation *out)
{
	sqlite3_stmt *st =
	    sql_prep(d, "SELECT " I_COLS " FROM invitations i JOIN meetings m"
	                " ON m.id = i.meeting WHERE i.secret = ? AND " LAST_END " + ? >= ?");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, secret, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, retention);
	sqlite3_bind_int64(st, 3, now);
	return inv_one(st, out);
}

int invitation_get(struct db *d, const char *meeting, const char *inv_id, struct invitation *out)
{
	sqlite3_stmt *st =
	    sql_prep(d, "SELECT " I_COLS " FROM invitations i WHERE i.meeting = ? AND i.id = ?");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, meeting, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, inv_id, -1, SQLITE_STATIC);
	return inv_one(st, out);
}

int invitation_revoke(struct db *d, const char *meeting, const char *inv_id)
{
	sqlite3_stmt *st = sql_prep(d, "DELETE FROM invitations WHERE meeting = ? AND id = ?");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, meeting, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, inv_id, -1, SQLITE_STATIC);
	int rc = sql_done(st);
	return rc == 0 && sqlite3_changes(db_sqlite(d)) == 0 ? ERR_NOTFOUND : rc;
}

int invitation_revoke_all(struct db *d, const char *meeting)
{
	int rc = by_id(d, "DELETE FROM invitations WHERE meeting = ?", meeting);
	return rc == ERR_NOTFOUND ? 0 : rc;
}

int invitation_list(struct db *d, const char *meeting,
                    int (*cb)(void *arg, const struct invitation *inv), void *arg)
{
	sqlite3_stmt *st = sql_prep(d, "SELECT " I_COLS " FROM invitations i WHERE i.meeting = ?"
	                               " ORDER BY i.created_at, i.id");
	if (!st)
		return ERR_IO;
	sqlite3_bind_text(st, 1, meeting, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct invitation inv;
		inv_row(st, &inv);
		if (cb(arg, &inv) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ERR_IO;
}

int meeting_expire(struct db *d, int64_t now)
{
	sqlite3_stmt *st = sql_prep(d, "DELETE FROM meetings AS m WHERE " LAST_END " + ? < ?");
	if (!st)
		return ERR_IO;
	sqlite3_bind_int64(st, 1, retention);
	sqlite3_bind_int64(st, 2, now);
	int rc = sql_done(st);
	return rc == 0 ? sqlite3_changes(db_sqlite(d)) : rc;
}
