/*
 * The state lock: an open-file-description lock (fcntl F_OFD_SETLK, or
 * flock where OFD locks are missing) on `<path>.lock`, held for the life
 * of the handle. The kernel drops it when the holder's descriptor closes,
 * including when the holder is killed, so there is no stale lock to break
 * (compare Terraform's lock files and DynamoDB items, hashicorp/terraform
 * #31371). OFD locks, unlike POSIX record locks, also conflict between two
 * handles of the same process.
 *
 * The lock file's contents are only information for messages: the holder
 * writes its ID, operation, user@host, pid and start time as JSON after it
 * has the lock, and truncates the file before it lets go. The file itself
 * is never removed: unlinking it would let one process lock the old inode
 * while another locks a new one.
 */
#include "state_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tern/clock.h"
#include "util/alloc.h"
#include "util/json.h"

/* How often a waiting process retries. */
#define LOCK_POLL_MS 25
/* How long a refused process waits for the holder's details to appear. */
#define LOCK_INFO_WAIT_MS 1000

static char *lock_path(const char *path)
{
    return tern_asprintf("%s.lock", path ? path : TERN_STATE_DEFAULT_PATH);
}

/* Try once. 0: locked; 1: held by someone else; -1: error (errno). */
static int try_lock(int fd)
{
    struct flock fl;

    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
#ifdef F_OFD_SETLK
    if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
        return 0;
    if (errno == EAGAIN || errno == EACCES)
        return 1;
    if (errno != EINVAL)
        return -1;
#endif
    (void)fl;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    return errno == EWOULDBLOCK ? 1 : -1;
}

/* The info JSON in the lock file; NULL when empty or unreadable (*@oom
 * set when memory, not the file, was why). */
static json_t *read_info(int fd, int *oom)
{
    char buf[4096];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    return tern_json_loads(buf, 0, oom);
}

static char *who(void)
{
    char host[256] = "";
    char pwbuf[1024];
    struct passwd pw, *res = NULL;
    const char *user = NULL;

    if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res)
        user = res->pw_name;
    if (user == NULL)
        user = getenv("USER");
    if (gethostname(host, sizeof(host) - 1) != 0)
        host[0] = '\0';
    return tern_asprintf("%s@%s", user ? user : "unknown",
                         host[0] ? host : "unknown");
}

static int write_info(tern_state *st, int fd)
{
    json_t *info = NULL;
    char *text = NULL, *user = who();
    char when[32];
    int error = TERN_OK;
    size_t len;

    TERN_CHECK_ALLOC(user);
    tern__state_time_format((int64_t)time(NULL), when, sizeof(when));
    info = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "ID", st->lock_id,
                     "Operation", st->operation, "Who", user, "Pid",
                     (json_int_t)getpid(), "Created", when, "Version",
                     TERN_VERSION, "Path", st->path);
    TERN_CHECK_ALLOC(info);
    text = tern__state_json_dump(info);
    TERN_CHECK_ALLOC(text);
    len = strlen(text);
    /* Information only: a failure here does not unlock anything. */
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, len, 0) != (ssize_t)len)
        error = TERN_ERROR;
done:
    json_decref(info);
    tern_free(text);
    tern_free(user);
    return error;
}

/*
 * The holder's details. It writes them just after it takes the lock (and
 * clears them just before it lets go), so a process that finds the lock
 * held in that moment sees an empty or half-written file: give it up to
 * LOCK_INFO_WAIT_MS to appear, so the message can name the holder.
 */
static json_t *read_info_wait(int fd, int *oom)
{
    json_t *info = read_info(fd, oom);
    int64_t deadline = tern_clock_now(NULL) + LOCK_INFO_WAIT_MS;

    while (!*oom && !json_is_string(json_object_get(info, "ID")) &&
           tern_clock_now(NULL) < deadline) {
        json_decref(info);
        tern_clock_sleep(NULL, 5, NULL);
        info = read_info(fd, oom);
    }
    return info;
}

static int held_message(tern_state *st, int fd, unsigned int waited_ms,
                        struct tern_diags *diags)
{
    int oom = 0;
    json_t *info = read_info_wait(fd, &oom);
    const char *id = json_string_value(json_object_get(info, "ID"));
    const char *op = json_string_value(json_object_get(info, "Operation"));
    const char *user = json_string_value(json_object_get(info, "Who"));
    const char *since = json_string_value(json_object_get(info, "Created"));
    json_int_t pid = json_integer_value(json_object_get(info, "Pid"));
    char waited[64] = "";

    /* The holder's details not read for lack of memory are no news of
     * who holds it. */
    if (oom) {
        json_decref(info);
        return TERN_ENOMEM;
    }
    if (waited_ms > 0)
        snprintf(waited, sizeof(waited), " after waiting %u ms", waited_ms);
    if (info == NULL || id == NULL)
        tern__state_fail(
            diags, TERN_ECONFLICT, "Error acquiring the state lock",
            "The state %s is locked by another process%s (it has not "
            "written its details yet). Retry in a moment.",
            st->path, waited);
    else
        tern__state_fail(
            diags, TERN_ECONFLICT, "Error acquiring the state lock",
            "The state %s is locked%s.\n"
            "  ID:        %s\n"
            "  Operation: %s\n"
            "  Who:       %s\n"
            "  Pid:       %lld\n"
            "  Since:     %s\n"
            "Wait for that %s to finish, or give a lock timeout to wait "
            "for it. The lock is held by the operating system: it ends as "
            "soon as process %lld exits, even if it is killed, so it is "
            "never stale and force-unlock cannot break it.",
            st->path, waited, id, op ? op : "unknown", user ? user : "unknown",
            (long long)pid, since ? since : "unknown", op ? op : "operation",
            (long long)pid);
    json_decref(info);
    return TERN_ECONFLICT;
}

int tern__state_lock(tern_state *st, unsigned int timeout_ms,
                     const struct tern_clock *clock, struct tern_diags *diags)
{
    char *lpath = lock_path(st->path);
    int64_t start = tern_clock_now(clock), elapsed;
    int fd = -1, rc, error = TERN_OK;

    TERN_CHECK_ALLOC(lpath);
    /* Never follow a link: a planted one would have tern truncate and
     * write whatever file it names. */
    fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == ELOOP) {
        error = tern__state_fail(
            diags, TERN_ERROR, "Cannot lock the state",
            "The lock file %s is a symbolic link. tern does not follow a "
            "link for its lock file, because writing through it would "
            "overwrite the file it names; remove the link.",
            lpath);
        goto done;
    }
    if (fd < 0) {
        error = tern__state_fail(diags, TERN_ERROR, "Cannot lock the state",
                                 "Opening %s: %s.", lpath, strerror(errno));
        goto done;
    }
    for (;;) {
        rc = try_lock(fd);
        if (rc == 0)
            break;
        if (rc < 0) {
            error = tern__state_fail(diags, TERN_ERROR, "Cannot lock the state",
                                     "Locking %s: %s.", lpath, strerror(errno));
            goto done;
        }
        elapsed = tern_clock_now(clock) - start;
        if (elapsed >= (int64_t)timeout_ms) {
            error = held_message(st, fd, timeout_ms, diags);
            goto done;
        }
        tern_clock_sleep(clock,
                         (long)((int64_t)timeout_ms - elapsed < LOCK_POLL_MS
                                    ? (int64_t)timeout_ms - elapsed
                                    : LOCK_POLL_MS),
                         NULL);
    }
    st->lock_id = tern__state_uuid();
    TERN_CHECK_ALLOC(st->lock_id);
    write_info(st, fd);
    st->lock_fd = fd;
    fd = -1;
done:
    if (fd >= 0)
        close(fd);
    tern_free(lpath);
    return error;
}

void tern__state_unlock(tern_state *st)
{
    if (st->lock_fd < 0)
        return;
    /* Clear the info first: once the descriptor closes, the lock is gone. */
    if (ftruncate(st->lock_fd, 0) != 0) {
        /* Stale info is harmless: the next holder overwrites it. */
    }
    close(st->lock_fd);
    st->lock_fd = -1;
}

int tern_state_lock_info(const char *path, json_t **out,
                         struct tern_diags *diags)
{
    char *lpath = lock_path(path);
    int fd = -1, error = TERN_OK, oom = 0;

    *out = NULL;
    TERN_CHECK_ALLOC(lpath);
    fd = open(lpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno != ENOENT)
            error = tern__state_fail(diags, TERN_ERROR, "Cannot read the lock",
                                     "Opening %s: %s.", lpath, strerror(errno));
        goto done;
    }
    *out = read_info(fd, &oom);
    if (oom)
        error = TERN_ENOMEM;
done:
    if (fd >= 0)
        close(fd);
    tern_free(lpath);
    return error;
}

int tern_state_force_unlock(const char *path, const char *lock_id,
                            struct tern_diags *diags)
{
    char *lpath = lock_path(path);
    json_t *info = NULL;
    const char *id;
    int fd = -1, error = TERN_OK, rc, oom = 0;

    TERN_CHECK_ALLOC(lpath);
    fd = open(lpath, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        error = tern__state_fail(diags, TERN_ENOTFOUND, "No lock",
                                 "There is no lock file %s.", lpath);
        goto done;
    }
    info = read_info(fd, &oom);
    if (oom) {
        error = TERN_ENOMEM;
        goto done;
    }
    id = json_string_value(json_object_get(info, "ID"));
    if (id == NULL || lock_id == NULL || strcmp(id, lock_id) != 0) {
        error = tern__state_fail(
            diags, TERN_ENOTFOUND, "No such lock",
            "The lock of %s has %s%s%s, not %s. Nothing was changed.",
            path ? path : TERN_STATE_DEFAULT_PATH, id ? "ID " : "no info",
            id ? id : "", "", lock_id ? lock_id : "(none)");
        goto done;
    }
    rc = try_lock(fd);
    if (rc != 0) {
        error = tern__state_fail(
            diags, TERN_ECONFLICT, "The lock is held",
            "Process %lld (%s, %s) is alive and holds the lock of %s. An OS "
            "lock cannot be broken from outside; stop that process, and the "
            "lock ends with it.",
            (long long)json_integer_value(json_object_get(info, "Pid")),
            json_string_value(json_object_get(info, "Operation"))
                ? json_string_value(json_object_get(info, "Operation"))
                : "unknown",
            json_string_value(json_object_get(info, "Who"))
                ? json_string_value(json_object_get(info, "Who"))
                : "unknown",
            path ? path : TERN_STATE_DEFAULT_PATH);
        goto done;
    }
    /* We hold it now: its holder is gone and the info is stale. */
    if (ftruncate(fd, 0) != 0)
        error = tern__state_fail(diags, TERN_ERROR, "Cannot clear the lock",
                                 "Truncating %s: %s.", lpath, strerror(errno));
done:
    if (fd >= 0)
        close(fd);
    json_decref(info);
    tern_free(lpath);
    return error;
}
