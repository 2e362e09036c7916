/*
 * Run the built `tern` binary (TERN_TEST_BIN_PATH) as a child process, in
 * a given directory, with optional standard input, and capture its standard
 * output, standard error and exit status. Standard input and output are
 * pipes, so tern sees no terminal: no colour, no prompts.
 */
#ifndef TERN_TEST_RUN_TERN_H
#define TERN_TEST_RUN_TERN_H

#include <stddef.h>

struct tt_run {
    char *out;  /* standard output, NUL-terminated (tt_run_release) */
    char *err;  /* standard error, NUL-terminated */
    int status; /* exit status, or 128 + signal number */
};

/*
 * Run `tern ARGS...` in @cwd (NULL: the current directory). @args is
 * NULL-terminated; @input is written to its standard input (NULL: none).
 * Extra environment entries "K=V" (NULL-terminated, may be NULL) are added.
 * A run that takes longer than 60 s is killed. Returns 0, or -1 when the
 * process could not be run.
 */
int tt_run_tern_env(struct tt_run *r, const char *cwd, const char *input,
                    const char *const *env, const char *const *args);

/*
 * tt_run_tern_env that also sends SIGINT to tern @sigint_ms[i]
 * milliseconds after @marker first appears in its standard output or
 * standard error (NULL: after it started), for each nonzero entry (at
 * most 2), to test interrupts.
 */
int tt_run_tern_interrupt(struct tt_run *r, const char *cwd,
                          const char *const *env, const char *const *args,
                          const char *marker, const long sigint_ms[2]);

/*
 * Run tern on a pseudo-terminal (stdin, stdout and stderr all on it), so
 * it sees a terminal: colours and prompts. @input is typed in at once.
 * r->out gets everything it printed (with the terminal's \r\n and echo);
 * r->err is empty.
 */
int tt_run_tern_pty(struct tt_run *r, const char *cwd, const char *input,
                    const char *const *env, const char *const *args);

/*
 * Run tern and act on it as it goes, driven by what it prints (no
 * timers): each stage waits until @marker appears in standard output or
 * error (in what was printed after the previous stage), then calls
 * @fn(pid, @arg), which may read /proc/PID or send signals. The list ends
 * with a stage whose marker is NULL. Standard input gets @input (or
 * nothing) and stays open. The 60 s limit of every run holds.
 */
struct tt_stage {
    const char *marker;
    void (*fn)(int pid, void *arg);
    void *arg;
};
int tt_run_tern_stages(struct tt_run *r, const char *cwd, const char *input,
                       const char *const *env, const char *const *args,
                       const struct tt_stage *stages);

/* tt_run_tern_env without extra environment. */
int tt_run_tern(struct tt_run *r, const char *cwd, const char *input,
                const char *const *args);

void tt_run_release(struct tt_run *r);

/*
 * tt_run_tern_env() in @cwd (@r released first), expecting exit status
 * @status: NULL when so, else what happened (the arguments, the status
 * and both outputs; free() it) for the test to fail with.
 */
char *tt_run_expect(struct tt_run *r, const char *cwd, const char *const *env,
                    const char *const *args, int status);
/* tt_run_expect() with @input written to tern's standard input. */
char *tt_run_expect_input(struct tt_run *r, const char *cwd, const char *input,
                          const char *const *env, const char *const *args,
                          int status);

struct tt_sim;

/*
 * The environment that points tern at a tern-sim: its endpoint for AWS
 * and Databricks, the sim's default key and token, region us-east-1, no
 * profile or config files, instance metadata off. tt_sim_env_add()
 * appends entries ("NAME=value", borrowed); a later entry overrides an
 * earlier one of the same name. env is NULL-terminated, for
 * tt_run_tern_env().
 */
#define TT_SIM_ENV_MAX 24
struct tt_sim_env {
    char endpoint[128], dbx_host[128];
    const char *env[TT_SIM_ENV_MAX + 1];
    size_t n;
};
void tt_sim_env_init(struct tt_sim_env *e, const struct tt_sim *sim);
void tt_sim_env_add(struct tt_sim_env *e, const char *entry);

/* Write @text to @dir/@name (mode 0644). Returns 0 or -1. */
int tt_write_file(const char *dir, const char *name, const char *text);

#endif
