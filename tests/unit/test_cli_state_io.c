/*
 * The state file meets the file system (issue 20, finding 13): a write
 * that fails says why (a full disk, a file over the size limit) and the
 * read commands work on a state they may not write. (A state path that is
 * a dangling symbolic link, named as one: cli case 427.) Run through the
 * built binary with the random provider, so nothing reaches a server.
 */
#include "runner.h"

#include "run_tern.h"
#include "support.h"
#define TT_CLI_ENV NULL
#include "cli_test.h"
#include "util/alloc.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

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

/*
 * Run tern in @dir as an unprivileged user when the test runs as root
 * (root writes anywhere, and CI runs as root), standard output and error
 * to files of the test's directory opened before the switch. Fills r.
 */
static void run_unprivileged(const char *dir, const char *const *args)
{
    char outp[4200], errp[4200];
    const char *argv[16];
    int out, err, status = 0;
    size_t i;
    pid_t pid;

    snprintf(outp, sizeof(outp), "%s/run.out", tern_test_tmpdir());
    snprintf(errp, sizeof(errp), "%s/run.err", tern_test_tmpdir());
    out = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT(out >= 0 && err >= 0);
    argv[0] = "tern";
    for (i = 0; args[i] && i + 2 < sizeof(argv) / sizeof(*argv); i++)
        argv[i + 1] = args[i];
    argv[i + 1] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        if (dup2(out, 1) < 0 || dup2(err, 2) < 0 || chdir(dir) != 0)
            _exit(126);
        if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
                               setuid(65534) != 0))
            _exit(125);
        execv(TERN_TEST_BIN_PATH, (char *const *)argv);
        _exit(127);
    }
    close(out);
    close(err);
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    tt_run_release(&r);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    r.out = tt_read_file(outp, NULL);
    r.err = tt_read_file(errp, NULL);
    ASSERT_NOT_NULL(r.out);
    ASSERT_NOT_NULL(r.err);
}

/*
 * The read commands work on a state in a directory tern may not write,
 * the file itself read-only too (they said "attempt to write a readonly
 * database"), and leave both as they were: no lock, no journal, the same
 * bytes. As root, tern runs as nobody, the file nobody's.
 */
TEST(cli_state_io, read_only_directory)
{
    char dir[4200], db[4300], *before, *after;
    size_t nbefore = 0, nafter = 0;
    DIR *d;
    struct dirent *e;
    int entries = 0;

    snprintf(dir, sizeof(dir), "%s/ro", tern_test_tmpdir());
    ASSERT_OK(mkdir(dir, 0755));
    ASSERT_OK(tt_write_file(dir, "main.tf",
                            "resource \"random_id\" \"a\" {\n"
                            "  byte_length = 4\n"
                            "}\n\n"
                            "output \"x\" {\n"
                            "  value = random_id.a.byte_length\n"
                            "}\n"));
    {
        const char *args[] = {"apply", "-auto-approve", "-no-color", NULL};
        char *why = tt_run_expect(&r, dir, NULL, args, 0);

        if (why)
            FAIL("%s", why);
    }
    snprintf(db, sizeof(db), "%s/tern.tfstate.db", dir);
    before = tt_read_file(db, &nbefore);
    ASSERT_NOT_NULL(before);
    ASSERT_OK(chmod(tern_test_tmpdir(), 0755));
    if (geteuid() == 0)
        ASSERT_OK(chown(db, 65534, 65534));
    ASSERT_OK(chmod(db, 0400));
    ASSERT_OK(chmod(dir, 0555));
    {
        const char *a1[] = {"state", "list", NULL};
        const char *a2[] = {"output", "-no-color", NULL};
        const char *a3[] = {"state", "show", "random_id.a", NULL};
        const char *a4[] = {"show", "-json", NULL};

        run_unprivileged(dir, a1);
        ASSERT_STR_EQ(r.err, "");
        ASSERT_STR_EQ(r.out, "random_id.a\n");
        ASSERT_EQ(r.status, 0);
        run_unprivileged(dir, a2);
        ASSERT_STR_EQ(r.err, "");
        ASSERT_STR_EQ(r.out, "x = 4\n");
        ASSERT_EQ(r.status, 0);
        run_unprivileged(dir, a3);
        ASSERT_STR_EQ(r.err, "");
        ASSERT_EQ(r.status, 0);
        run_unprivileged(dir, a4);
        ASSERT_STR_EQ(r.err, "");
        ASSERT_EQ(r.status, 0);
        ASSERT_EQ(r.out[0], '{');
    }
    after = tt_read_file(db, &nafter);
    ASSERT_NOT_NULL(after);
    ASSERT_EQ(nafter, nbefore);
    ASSERT_TRUE(memcmp(before, after, nbefore) == 0);
    free(before);
    free(after);
    /* Nothing new in the directory: main.tf, the state and its lock. */
    d = opendir(dir);
    ASSERT_NOT_NULL(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' || strncmp(e->d_name, ".terraform", 10) == 0)
            entries++;
    closedir(d);
    ASSERT_EQ(entries, 3);
    ASSERT_OK(chmod(dir, 0755));
    tt_run_release(&r);
}

const struct tern_test test_cli_state_io_list[] = {
    TEST_INTEGRATION(cli_state_io, write_failure_says_why),
    TEST_INTEGRATION(cli_state_io, read_only_directory), TEST_END};
