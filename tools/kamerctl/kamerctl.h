/* kamerctl.h - the administrator's command: each group of subcommands is one file. */
#ifndef KAMER_TOOLS_KAMERCTL_H
#define KAMER_TOOLS_KAMERCTL_H

struct db;

/* A group of subcommands, e.g. "tenant" for `kamerctl tenant add ...`. run() gets the
   arguments after the group's name and returns the process's exit status: 0 done,
   1 the command found a problem (e.g. audit verify), 2 bad usage or failure. */
struct kamerctl_cmd {
	const char *name;
	const char *usage; /* lines for --help, each starting with the group's name */
	int (*run)(struct db *d, const char *data_dir, int argc, char **argv);
};

#endif
