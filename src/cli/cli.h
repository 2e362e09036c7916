/* The command table and exit statuses of the tern CLI. */
#ifndef TERN_CLI_H
#define TERN_CLI_H

enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_ERROR = 1,
    CLI_EXIT_CHANGES = 2, /* plan -detailed-exitcode: changes present */
    CLI_EXIT_USAGE = 64
};

/* What the dispatcher does for a command before calling it. */
enum cli_needs { CLI_NEEDS_CONFIG = 1, CLI_NEEDS_LOCK = 2 };

struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    unsigned int needs;
    const char *summary;
};

#endif
