/* accounts.c - kamerctl tenant ... and kamerctl user ... */
#include <stdio.h>
#include <string.h>

#include "auth/events.h"
#include "auth/password.h"
#include "base/ct.h"
#include "kamerctl.h"
#include "store/account.h"
#include "store/websess.h"

static void admin_event(struct db *d, const char *tenant, const char *kind, const char *subject)
{
	event_record(d, &(struct audit_rec){.tenant = tenant,
	                                    .actor = "kamerctl",
	                                    .kind = kind,
	                                    .subject = subject,
	                                    .source = "local",
	                                    .security = 1});
}

static int print_tenant(void *arg, const struct tenant *t)
{
	(void)arg;
	printf("%s\t%s\t%s\n", t->id, t->name, t->disabled ? "disabled" : "active");
	return 0;
}

static int tenant_run(struct db *d, const char *dir, int argc, char **argv)
{
	(void)dir;
	struct tenant t;
	if (argc == 2 && strcmp(argv[0], "add") == 0) {
		if (account_tenant_add(d, argv[1], t.id) != 0) {
			fprintf(stderr, "kamerctl: cannot add tenant %s (does it exist?)\n",
			        argv[1]);
			return 2;
		}
		admin_event(d, t.id, "admin.tenant_added", argv[1]);
		printf("%s\n", t.id);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "list") == 0)
		return account_tenant_list(d, print_tenant, NULL) == 0 ? 0 : 2;
	if (argc == 2 && strcmp(argv[0], "disable") == 0) {
		if (account_tenant_find(d, argv[1], &t) != 0 ||
		    account_tenant_disable(d, t.id) != 0) {
			fprintf(stderr, "kamerctl: no tenant %s\n", argv[1]);
			return 2;
		}
		admin_event(d, t.id, "admin.tenant_disabled", t.name);
		return 0;
	}
	fprintf(stderr, "usage: kamerctl tenant add NAME | list | disable ID|NAME\n");
	return 2;
}

static int print_user(void *arg, const struct user *u)
{
	(void)arg;
	char roles[96];
	role_format(u->roles, roles, sizeof(roles));
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", u->id, u->tenant, u->login, u->name, roles,
	       u->disabled ? "disabled" : "active");
	return 0;
}

/* One line from standard input, without its newline. */
static int read_password(char *buf, size_t cap, size_t *len)
{
	if (!fgets(buf, (int)cap, stdin))
		return -1;
	*len = strcspn(buf, "\r\n");
	buf[*len] = '\0';
	return 0;
}

static int user_add(struct db *d, int argc, char **argv)
{
	struct user u = {0};
	struct tenant t;
	const char *tenant = NULL;
	for (int i = 0; i < argc; i++) {
		unsigned bit;
		if (strcmp(argv[i], "--tenant") == 0 && i + 1 < argc)
			tenant = argv[++i];
		else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			snprintf(u.name, sizeof(u.name), "%s", argv[++i]);
		else if (strcmp(argv[i], "--email") == 0 && i + 1 < argc)
			snprintf(u.email, sizeof(u.email), "%s", argv[++i]);
		else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) {
			if (role_parse(argv[++i], &bit) != 0) {
				fprintf(stderr, "kamerctl: unknown role %s\n", argv[i]);
				return 2;
			}
			u.roles |= bit;
		} else if (argv[i][0] != '-' && !u.login[0] && strlen(argv[i]) <= LIM_LOGIN)
			snprintf(u.login, sizeof(u.login), "%s", argv[i]);
		else {
			fprintf(stderr, "kamerctl: unexpected %s\n", argv[i]);
			return 2;
		}
	}
	if (!tenant || !u.login[0]) {
		fprintf(stderr, "usage: kamerctl user add --tenant T LOGIN [--name N] [--email E]"
		                " [--role R]... (password on standard input)\n");
		return 2;
	}
	if (account_tenant_find(d, tenant, &t) != 0) {
		fprintf(stderr, "kamerctl: no tenant %s\n", tenant);
		return 2;
	}
	memcpy(u.tenant, t.id, sizeof(u.tenant));
	if (!u.roles)
		u.roles = ROLE_MEMBER;
	char pw[PASSWORD_MAX + 2], hash[PASSWORD_HASH_LEN], id[RND_ID_CHARS + 1];
	size_t len;
	if (read_password(pw, sizeof(pw), &len) != 0 || password_hash(pw, len, hash) != 0) {
		ct_wipe(pw, sizeof(pw));
		fprintf(stderr, "kamerctl: give a password of %d to %d bytes on standard input\n",
		        PASSWORD_MIN, PASSWORD_MAX);
		return 2;
	}
	ct_wipe(pw, sizeof(pw));
	if (account_user_add(d, &u, hash, id) != 0) {
		fprintf(stderr, "kamerctl: cannot add user %s (does the login exist?)\n", u.login);
		return 2;
	}
	admin_event(d, t.id, "admin.user_added", u.login);
	printf("%s\n", id);
	return 0;
}

static int user_run(struct db *d, const char *dir, int argc, char **argv)
{
	(void)dir;
	struct user u;
	if (argc >= 1 && strcmp(argv[0], "add") == 0)
		return user_add(d, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		const char *tenant = NULL;
		struct tenant t;
		if (argc == 3 && strcmp(argv[1], "--tenant") == 0) {
			if (account_tenant_find(d, argv[2], &t) != 0) {
				fprintf(stderr, "kamerctl: no tenant %s\n", argv[2]);
				return 2;
			}
			tenant = t.id;
		}
		return account_user_list(d, tenant, print_user, NULL) == 0 ? 0 : 2;
	}
	if (argc == 2 && strcmp(argv[0], "disable") == 0) {
		if (account_user_by_login(d, argv[1], &u, NULL, 0) != 0 ||
		    account_user_disable(d, u.id) != 0) {
			fprintf(stderr, "kamerctl: no user %s\n", argv[1]);
			return 2;
		}
		if (websess_delete_user(d, u.id) != 0)
			fprintf(stderr, "kamerctl: warning: sessions of %s not ended\n", argv[1]);
		admin_event(d, u.tenant, "admin.user_disabled", u.login);
		return 0;
	}
	fprintf(stderr, "usage: kamerctl user add ... | list [--tenant T] | disable LOGIN\n");
	return 2;
}

const struct kamerctl_cmd kamerctl_tenant = {
    "tenant", "  tenant add NAME | list | disable ID|NAME\n", tenant_run};
const struct kamerctl_cmd kamerctl_user = {
    "user",
    "  user add --tenant T LOGIN [--name N] [--email E] [--role R]...  (password on stdin)\n"
    "  user list [--tenant T] | disable LOGIN\n"
    "       roles: member, host, tenant-admin, security-officer\n",
    user_run};
