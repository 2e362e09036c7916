/*
 * bench_run: run one command and report what it cost, for scripts/bench.sh
 * (a program, not a timed test).
 *
 *     bench_run OUTPUT -- COMMAND [ARG...]
 *
 * Runs COMMAND with stdout and stderr to the file OUTPUT, waits for it
 * with wait4() and prints one line to stdout:
 *
 *     wall_ms=W cpu_ms=C user_ms=U sys_ms=S maxrss_kb=M exit=E
 *
 * Wall time from fork to reap (CLOCK_MONOTONIC); CPU time (user + system)
 * and peak resident memory are the child's own, from the kernel's rusage
 * of that one process, so the simulator and this runner are not counted.
 * Exit status: COMMAND's (128 + signal when it was killed).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv)
{
    return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

int main(int argc, char **argv)
{
    struct rusage ru;
    double t0, t1;
    pid_t pid;
    int status = 0, fd, code;

    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: bench_run OUTPUT -- COMMAND [ARG...]\n");
        return 2;
    }
    fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror(argv[1]);
        return 2;
    }
    t0 = now_ms();
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        if (dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        execvp(argv[3], argv + 3);
        perror(argv[3]);
        _exit(127);
    }
    close(fd);
    memset(&ru, 0, sizeof(ru));
    while (wait4(pid, &status, 0, &ru) < 0) {
        perror("wait4");
        return 2;
    }
    t1 = now_ms();
    code = WIFEXITED(status)     ? WEXITSTATUS(status)
           : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                 : 1;
    printf("wall_ms=%.1f cpu_ms=%.1f user_ms=%.1f sys_ms=%.1f maxrss_kb=%ld "
           "exit=%d\n",
           t1 - t0, tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime), tv_ms(ru.ru_utime),
           tv_ms(ru.ru_stime), ru.ru_maxrss, code);
    return code;
}
