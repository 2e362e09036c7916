/*
 * The test runner itself (tests/unit/runner.c): each case runs in its own
 * process group, and a case over its time limit is killed with everything
 * it started (issue 20: the kill targeted a group that never existed).
 */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * A case leads its own process group. With TERN_TEST_HANG_PIDFILE set
 * (only by timeout_kills_the_group below), it also starts a child that
 * writes its pid there, and both wait forever: a case that hangs.
 */
TEST(runner, own_process_group)
{
    const char *pidfile = getenv("TERN_TEST_HANG_PIDFILE");
    pid_t child;

    ASSERT_EQ(getpgrp(), getpid());
    if (!pidfile || !*pidfile)
        return;
    child = fork();
    ASSERT_CMP(child, >=, 0);
    if (child == 0) {
        FILE *f = fopen(pidfile, "w");

        if (f) {
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
        }
        for (;;)
            pause();
    }
    for (;;)
        pause();
}

/* The runner, given a 1 s limit, kills a hanging case and the child it
 * started: the child's exit is awaited on a pidfd, not by sleeping. */
TEST(runner, timeout_kills_the_group)
{
    char pidfile[4096], buf[32];
    const char *argv[] = {"tern_unit_tests",           "-t", "1", "-s",
                          "runner::own_process_group", NULL};
    int status = 0, fd, pfd, got;
    long gpid = 0;
    pid_t pid;
    ssize_t n;

    snprintf(pidfile, sizeof(pidfile), "%s/grandchild.pid", tern_test_tmpdir());
    pid = fork();
    ASSERT_CMP(pid, >=, 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);

        dup2(devnull, 1);
        setenv("TERN_TEST_HANG_PIDFILE", pidfile, 1);
        execv("/proc/self/exe", (char *const *)argv);
        _exit(127);
    }
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 1); /* the case failed: it timed out */
    fd = open(pidfile, O_RDONLY);
    ASSERT_CMP(fd, >=, 0);
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    ASSERT_CMP(n, >, 0);
    buf[n] = '\0';
    gpid = strtol(buf, NULL, 10);
    ASSERT_CMP(gpid, >, 1);
    pfd = (int)syscall(SYS_pidfd_open, (pid_t)gpid, 0);
    if (pfd < 0) {
        /* Gone already (reaped by init): killed. */
        ASSERT_EQ(errno, ESRCH);
        return;
    }
    {
        struct pollfd p = {pfd, POLLIN, 0};

        got = poll(&p, 1, 10000);
    }
    if (got != 1)
        kill((pid_t)gpid, SIGKILL); /* do not leave it behind */
    close(pfd);
    ASSERT_EQ(got, 1);
}

const struct tern_test test_runner_list[] = {
    TEST_UNIT(runner, own_process_group),
    TEST_UNIT(runner, timeout_kills_the_group), TEST_END};
