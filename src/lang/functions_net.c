/*
 * The IP network functions: cidrhost, cidrnetmask, cidrsubnet,
 * cidrsubnets, with the address arithmetic of apparentlymart/go-cidr that
 * Terraform uses, and addresses printed as Go's net.IP prints them (IPv6
 * in RFC 5952's shortest form, IPv4 octets with leading zeros read as
 * decimal).
 *
 * Known difference: host and network numbers are 64-bit integers, where
 * Terraform takes arbitrary precision (only IPv6 prefixes shorter than /64
 * could use larger ones).
 */
#include "lang/functions_int.h"
#include "util/alloc.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

/* A network: its address (host bits cleared), prefix length, and whether
 * it is IPv4 (32 bits) or IPv6 (128). */
struct net {
    u128 ip;
    int len, bits;
};

static u128 mask_of(int len, int bits)
{
    u128 all = bits == 128 ? ~(u128)0 : (((u128)1 << bits) - 1);

    if (len <= 0)
        return 0;
    if (len >= bits)
        return all;
    return all & ~((((u128)1) << (bits - len)) - 1);
}

/* Go's net.ParseIP for IPv4 as Terraform's ipaddr copy has it: four
 * decimal fields, leading zeros allowed (and read as decimal). */
static int parse_v4(const char *s, size_t len, u128 *out)
{
    size_t i = 0;
    int f;
    u128 v = 0;

    for (f = 0; f < 4; f++) {
        unsigned n = 0;
        size_t start = i;

        if (f > 0) {
            if (i >= len || s[i] != '.')
                return 0;
            start = ++i;
        }
        while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 4)
            n = n * 10 + (unsigned)(s[i++] - '0');
        if (i == start || n > 255)
            return 0;
        v = v << 8 | n;
    }
    if (i != len)
        return 0;
    *out = v;
    return 1;
}

/* "addr/len" as Go's net.ParseCIDR reads it; 0 if it is not one. */
static int parse_cidr(const char *s, struct net *n)
{
    const char *slash = strchr(s, '/');
    char addr[64];
    unsigned char b[16];
    size_t alen, i;
    int len = 0, digits = 0;

    if (!slash || (alen = (size_t)(slash - s)) >= sizeof(addr))
        return 0;
    for (i = 1; slash[i]; i++) {
        if (slash[i] < '0' || slash[i] > '9' || ++digits > 3)
            return 0;
        len = len * 10 + (slash[i] - '0');
    }
    if (!digits)
        return 0;
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    if (parse_v4(addr, alen, &n->ip)) {
        n->bits = 32;
    } else if (strchr(addr, ':') && inet_pton(AF_INET6, addr, b) == 1) {
        n->ip = 0;
        for (i = 0; i < 16; i++)
            n->ip = n->ip << 8 | b[i];
        n->bits = 128;
    } else {
        return 0;
    }
    if (len > n->bits)
        return 0;
    n->len = len;
    n->ip &= mask_of(len, n->bits);
    return 1;
}

/* Go's net.IP.String(). */
static void put_ip(tern_buf *b, u128 ip, int bits)
{
    unsigned w[8];
    int i, best = -1, bestlen = 0;

    if (bits == 32 || (ip >> 32) == 0xffff) {
        /* IPv4, also an IPv4-mapped IPv6 address (To4() != nil). */
        tern_buf_printf(b, "%u.%u.%u.%u", (unsigned)(ip >> 24 & 255),
                        (unsigned)(ip >> 16 & 255), (unsigned)(ip >> 8 & 255),
                        (unsigned)(ip & 255));
        return;
    }
    for (i = 0; i < 8; i++)
        w[i] = (unsigned)(ip >> (16 * (7 - i)) & 0xffff);
    for (i = 0; i < 8;) {
        int j = i;

        while (j < 8 && w[j] == 0)
            j++;
        if (j - i > bestlen && j - i >= 2) {
            best = i;
            bestlen = j - i;
        }
        i = j > i ? j : i + 1;
    }
    for (i = 0; i < 8; i++) {
        if (i == best) {
            tern_buf_puts(b, "::");
            i += bestlen - 1;
            continue;
        }
        if (i > 0 && i != best + bestlen)
            tern_buf_putc(b, ':');
        tern_buf_printf(b, "%x", w[i]);
    }
}

static void put_net(tern_buf *b, const struct net *n)
{
    put_ip(b, n->ip, n->bits);
    tern_buf_printf(b, "/%d", n->len);
}

/* Argument 0 as a network; a call error when it is not one. */
static int arg_net(struct tern__fcall *c, tern_value **args, struct net *n,
                   int as_arg)
{
    tern_value *s = NULL;
    int error;

    if ((error = tern__arg_string(c, args, 0, &s)))
        return error;
    if (!parse_cidr(tern_value_get_string(s), n)) {
        if (as_arg)
            tern__fparam_error(c, 0, "prefix",
                               "invalid CIDR expression: invalid CIDR "
                               "address: %s.",
                               tern_value_get_string(s));
        else
            tern__farg_error(c, c->nargs_ranges,
                             "invalid CIDR expression: invalid CIDR address: "
                             "%s.",
                             tern_value_get_string(s));
        tern_value_decref(s);
        return TERN_ERROR;
    }
    tern_value_decref(s);
    return TERN_OK;
}

static int ret_ip(tern_value **out, u128 ip, int bits)
{
    tern_buf b = TERN_BUF_INIT;

    put_ip(&b, ip, bits);
    return tern__fret_buf(out, &b);
}

static int ret_net(tern_value **out, const struct net *n)
{
    tern_buf b = TERN_BUF_INIT;

    put_net(&b, n);
    return tern__fret_buf(out, &b);
}

FN(cidrhost)
{
    struct net net;
    int64_t num;
    u128 max, host;
    int error;

    (void)n;
    if ((error = tern__arg_int(c, args, 1, &num)) ||
        (error = arg_net(c, args, &net, 0)))
        return error;
    max = net.bits - net.len >= 128 ? ~(u128)0
                                    : (((u128)1) << (net.bits - net.len)) - 1;
    /* go-cidr's HostBig: a negative number counts from the end. */
    if (num < 0) {
        u128 back = (u128)(-(num + 1));

        if (back > max) {
            tern__farg_error(c, c->nargs_ranges,
                             "prefix of %d does not accommodate a host "
                             "numbered %lld.",
                             net.len, (long long)num);
            return TERN_ERROR;
        }
        host = max - back;
    } else {
        host = (u128)num;
        if (host > max) {
            tern__farg_error(c, c->nargs_ranges,
                             "prefix of %d does not accommodate a host "
                             "numbered %lld.",
                             net.len, (long long)num);
            return TERN_ERROR;
        }
    }
    return ret_ip(out, net.ip | host, net.bits);
}

FN(cidrnetmask)
{
    struct net net;
    tern_value *s = NULL;
    int error;

    (void)n;
    if ((error = arg_net(c, args, &net, 0)))
        return error;
    if (net.bits != 32) {
        if ((error = tern__arg_string(c, args, 0, &s)))
            return error;
        tern__farg_error(c, c->nargs_ranges,
                         "IPv6 addresses cannot have a netmask: %s.",
                         tern_value_get_string(s));
        tern_value_decref(s);
        return TERN_ERROR;
    }
    return ret_ip(out, mask_of(net.len, 32), 32);
}

FN(cidrsubnet)
{
    struct net net;
    int64_t newbits, num;
    u128 max;
    int error;

    (void)n;
    if ((error = tern__arg_int(c, args, 1, &newbits)) ||
        (error = tern__arg_int(c, args, 2, &num)) ||
        (error = arg_net(c, args, &net, 0)))
        return error;
    if (newbits < 0 || net.len + newbits > net.bits) {
        tern__farg_error(c, c->nargs_ranges,
                         "insufficient address space to extend prefix of %d "
                         "by %lld.",
                         net.len, (long long)newbits);
        return TERN_ERROR;
    }
    max = newbits >= 64 ? (u128)UINT64_MAX : (((u128)1) << newbits) - 1;
    if (num < 0 || (u128)num > max) {
        tern__farg_error(c, c->nargs_ranges,
                         "prefix extension of %lld does not accommodate a "
                         "subnet numbered %lld.",
                         (long long)newbits, (long long)num);
        return TERN_ERROR;
    }
    net.len += (int)newbits;
    net.ip |= (u128)num << (net.bits - net.len);
    return ret_net(out, &net);
}

/* The last address of a network. */
static u128 last_of(const struct net *n)
{
    return n->ip | (~mask_of(n->len, n->bits) & mask_of(n->bits, n->bits));
}

FN(cidrsubnets)
{
    struct net net, cur = {0, 0, 0};
    tern_value *list;
    size_t i;
    int error;
    u128 all;

    if ((error = arg_net(c, args, &net, 1)))
        return error;
    all = mask_of(net.bits, net.bits);
    list = tern_value_list_new();
    if (!list)
        return TERN_ENOMEM;
    for (i = 1; i < n; i++) {
        int64_t bits;
        struct net next;
        u128 last;
        tern_buf b = TERN_BUF_INIT;

        if ((error = tern__arg_int(c, args, i, &bits)))
            goto fail;
        if (bits < 1) {
            tern__fparam_error(c, i, "newbits",
                               "must extend prefix by at least one bit.");
            goto bad;
        }
        if (bits > 32) {
            tern__fparam_error(c, i, "newbits",
                               "may not extend prefix by more than 32 bits.");
            goto bad;
        }
        if (net.len + bits > net.bits) {
            tern__fparam_error(c, i, "newbits",
                               "would extend prefix to %lld bits, which is "
                               "too long for an %s address.",
                               (long long)(net.len + bits),
                               net.bits == 32 ? "IPv4" : "IPv6");
            goto bad;
        }
        if (i == 1) {
            /* go-cidr's PreviousSubnet of the first length. */
            cur.bits = net.bits;
            cur.len = net.len + (int)bits;
            cur.ip = ((net.ip - 1) & all) & mask_of(cur.len, cur.bits);
        }
        /* NextSubnet: the subnet of the new length after cur's end. */
        next.bits = net.bits;
        next.len = net.len + (int)bits;
        next.ip = last_of(&cur) & mask_of(next.len, next.bits);
        last = (last_of(&next) + 1) & all;
        next.ip = last & mask_of(next.len, next.bits);
        if (last == 0 || (next.ip & mask_of(net.len, net.bits)) != net.ip) {
            put_net(&b, &cur);
            tern__fparam_error(c, i, "newbits",
                               "not enough remaining address space for a "
                               "subnet with a prefix of %d bits after %s.",
                               next.len, tern_buf_cstr(&b));
            tern_buf_release(&b);
            goto bad;
        }
        cur = next;
        put_net(&b, &cur);
        if (tern_buf_oom(&b) ||
            tern_value_list_append(
                list, tern_value_stringn(tern_buf_cstr(&b), b.len))) {
            tern_buf_release(&b);
            error = TERN_ENOMEM;
            goto fail;
        }
        tern_buf_release(&b);
    }
    *out = list;
    return TERN_OK;

bad:
    error = TERN_ERROR;
fail:
    tern_value_decref(list);
    return error;
}
