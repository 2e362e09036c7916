/*
 * tern's command line: one table of commands; the dispatcher, not each
 * command, handles the shared flags. Only src/cli/ calls exit(); error
 * codes become exit statuses here (../shared/STYLE.md rule 2).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct cli_cmd commands[] = {
    {"help", cmd_help, 0, "Show this help"},
    {"version", cmd_version, 0, "Show the tern version"},
    {NULL, NULL, 0, NULL}};

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("tern v%s\n", TERN_VERSION);
    return CLI_EXIT_OK;
}

static void usage(FILE *out)
{
    const struct cli_cmd *c;

    fprintf(out, "Usage: tern [global options] <command> [args]\n\n"
                 "Commands:\n");
    for (c = commands; c->name; c++)
        fprintf(out, "  %-12s %s\n", c->name, c->summary);
}

static int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    usage(stdout);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    const struct cli_cmd *c;
    const char *name;

    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    name = argv[1];
    if (strcmp(name, "-version") == 0 || strcmp(name, "--version") == 0)
        name = "version";
    if (strcmp(name, "-help") == 0 || strcmp(name, "--help") == 0 ||
        strcmp(name, "-h") == 0)
        name = "help";
    for (c = commands; c->name; c++) {
        if (strcmp(c->name, name) == 0)
            return c->fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "tern: unknown command '%s'; see 'tern help'\n", name);
    return CLI_EXIT_USAGE;
}
