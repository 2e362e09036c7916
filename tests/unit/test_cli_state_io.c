/*
 * The state file meets the file system (issue 20, finding 13): a write
 * that fails says why (a full disk, a file over the size limit), the read
 * commands work on a state they may not write, and a state path that is a
 * dangling symbolic link is named as one. Run through the built binary
 * with the random provider, so nothing reaches a server.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"
#include "util/alloc.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static struct tt_run r;

static void run_in(int status, const char *const *args)
{
    char *why = tt_run_expect(&r, tern_test_tmpdir(), NULL, args, status);

    if (why)
        FAIL("%s", why);
}

#define RUN(status, ...)                                                       \
    do {                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                             \
        run_in((status), args_);                                               \
    } while (0)

static const char big[] = "variable \"n\" {\n"
                          "  type    = number\n"
                          "  default = 0\n"
                          "}\n\n"
                          "resource \"random_string\" \"big\" {\n"
                          "  count   = var.n\n"
                          "  length  = 100000\n"
                          "  special = false\n"
                          "}\n";

/*
 * A state write that fails reports the operating system's reason. The
 * disk is made "full" with RLIMIT_FSIZE, which tern inherits (SIGXFSZ
 * ignored, so the write fails with EFBIG instead of killing it): the
 * 100,000-character result does not fit under 64 KiB of write-ahead log.
 * It said "creating random_string.big[0]: error" and "(error)".
 */
TEST(cli_state_io, write_failure_says_why)
{
    struct rlimit old, lim;
    void (*prev)(int);

    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", big));
    RUN(0, "apply", "-auto-approve", "-no-color");
    ASSERT_OK(getrlimit(RLIMIT_FSIZE, &old));
    lim = old;
    lim.rlim_cur = 64 * 1024;
    prev = signal(SIGXFSZ, SIG_IGN);
    ASSERT_OK(setrlimit(RLIMIT_FSIZE, &lim));
    tt_run_release(&r);
    {
        const char *args[] = {"apply", "-auto-approve", "-no-color", "-var=n=1",
                              NULL};
        char *why = tt_run_expect(&r, tern_test_tmpdir(), NULL, args, 1);

        ASSERT_OK(setrlimit(RLIMIT_FSIZE, &old));
        signal(SIGXFSZ, prev);
        if (why)
            FAIL("%s", why);
    }
    ASSERT_STR_EQ(r.err,
                  "Error: Saving to the state failed\n\n"
                  "The apply stopped: the results of its last steps could "
                  "not be saved: committing a batch in tern.tfstate.db: disk "
                  "I/O error: File too large (SQLite error 778).\n\n");
    /* Nothing was lost: the create's intent is kept for the next run. */
    RUN(0, "apply", "-auto-approve", "-no-color", "-var=n=1");
    RUN(0, "state", "list");
    ASSERT_STR_EQ(r.out, "random_string.big[0]\n");
    ASSERT_STR_EQ(r.err, "");
    tt_run_release(&r);
}

#define DANGLING                                                               \
    "Error: State file is a dangling symbolic link\n\n"                        \
    "tern.tfstate.db is a symbolic link to gone/x.db, which does not "         \
    "exist. Restore the state it points to (mount its volume, move the "       \
    "file back), or remove the link to start a new state.\n\n"

/*
 * A state path that is a link to nothing is named as one, by the read
 * commands (which said "State management commands require a state file",
 * "No outputs found" and "No state.") and by plan and apply (which went on
 * as if there were no state: everything planned again). The link stays.
 */
TEST(cli_state_io, dangling_link_named)
{
    char link[4200], target[64];
    ssize_t n;

    snprintf(link, sizeof(link), "%s/tern.tfstate.db", tern_test_tmpdir());
    ASSERT_OK(symlink("gone/x.db", link));
    ASSERT_OK(tt_write_file(tern_test_tmpdir(), "main.tf", big));
    RUN(1, "state", "list");
    ASSERT_STR_EQ(r.out, "");
    ASSERT_STR_EQ(r.err, DANGLING);
    RUN(1, "output");
    ASSERT_STR_EQ(r.err, DANGLING);
    RUN(1, "show", "-no-color");
    ASSERT_STR_EQ(r.err, DANGLING);
    RUN(1, "plan", "-no-color");
    ASSERT_STR_EQ(r.err, DANGLING);
    RUN(1, "apply", "-auto-approve", "-no-color");
    ASSERT_STR_EQ(r.err, DANGLING);
    n = readlink(link, target, sizeof(target) - 1);
    ASSERT_EQ(n, 9);
    target[n] = '\0';
    ASSERT_STR_EQ(target, "gone/x.db");
    tt_run_release(&r);
}

const struct tern_test test_cli_state_io_list[] = {
    TEST_INTEGRATION(cli_state_io, write_failure_says_why),
    TEST_INTEGRATION(cli_state_io, dangling_link_named), TEST_END};
