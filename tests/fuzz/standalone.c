/*
 * Replays fuzz inputs through a target's LLVMFuzzerTestOneInput without
 * libFuzzer, so the corpora run under CTest with gcc and the sanitizers
 * (after libgit2's fuzzers/standalone_driver.c).
 *
 *     <target>_replay FILE_OR_DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t len = 0, cap = 0, n;
    uint8_t chunk[65536];

    if (!f) {
        perror(path);
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (len + n > cap) {
            uint8_t *p;

            cap = (len + n) * 2;
            p = realloc(data, cap);
            if (!p) {
                free(data);
                fclose(f);
                return -1;
            }
            data = p;
        }
        memcpy(data + len, chunk, n);
        len += n;
    }
    fclose(f);
    /* An exact-size copy, so ASan sees reads past the input's end. */
    {
        uint8_t *exact = malloc(len ? len : 1);

        if (!exact) {
            free(data);
            return -1;
        }
        if (len)
            memcpy(exact, data, len);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    free(data);
    return 0;
}

static int replay(const char *path, unsigned *count)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    int rc = 0;

    if (stat(path, &st) != 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return replay_file(path);
    }
    d = opendir(path);
    if (!d) {
        perror(path);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        char child[4096];

        if (e->d_name[0] == '.')
            continue;
        snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
        rc |= replay(child, count);
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    int i, rc = 0;

    for (i = 1; i < argc; i++)
        rc |= replay(argv[i], &count);
    printf("replayed %u inputs\n", count);
    if (count == 0) {
        fprintf(stderr, "no inputs found\n");
        return 1;
    }
    return rc ? 1 : 0;
}
