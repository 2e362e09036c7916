/*
 * tern-sim's EC2: DescribeAvailabilityZones (API version 2016-11-15), with
 * EC2's response shape (no Result wrapper, lists as <item>) and its error
 * document (<Response><Errors><Error>, sim_aws_error()).
 *
 * The region is the one the request was signed for (auth.c). Each region
 * has a fixed list of zones:
 *
 *     us-east-1  us-east-1a..f (use1-az1..6), us-east-1e "impaired";
 *                us-east-1-bos-1a (use1-bos1-az1), a Local Zone, not
 *                opted in
 *     us-west-2  us-west-2a..d (usw2-az1..4)
 *     any other  REGIONa..c (REGION-az1..3)
 *
 * Without AllAvailabilityZones=true only zones that need no opt-in (or are
 * opted in) are listed, as AWS does. Filters (Filter.N.Name,
 * Filter.N.Value.M; values may hold * and ? wildcards): state (zoneState),
 * zone-name, zone-id, opt-in-status, group-name, region-name, zone-type.
 * A zone must match every filter, and one of each filter's values.
 * ZoneName.N and ZoneId.N select zones; an unknown one is
 * InvalidParameterValue, as AWS answers. Another filter name is
 * InvalidParameterValue "The filter 'NAME' is invalid".
 *
 * Simplifications, deliberate: no message sets, no parent zones, no
 * Wavelength zones; DryRun is not implemented.
 */
#include "sim.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#define SIM_EC2_NS "http://ec2.amazonaws.com/doc/2016-11-15/"

struct zone {
    char name[64], id[64], group[64], state[16], opt_in[24], type[24];
};

int sim_ec2_has_action(const char *action)
{
    return action && strcmp(action, "DescribeAvailabilityZones") == 0;
}

static void zone(struct zone *z, const char *name, const char *id,
                 const char *group, const char *state, const char *opt_in,
                 const char *type)
{
    snprintf(z->name, sizeof(z->name), "%s", name);
    snprintf(z->id, sizeof(z->id), "%s", id);
    snprintf(z->group, sizeof(z->group), "%s", group);
    snprintf(z->state, sizeof(z->state), "%s", state);
    snprintf(z->opt_in, sizeof(z->opt_in), "%s", opt_in);
    snprintf(z->type, sizeof(z->type), "%s", type);
}

/* The zones of @p region; returns how many (at most 8). */
static size_t region_zones(struct zone *z, const char *region)
{
    char name[64], id[64];
    size_t n = 0, i, count;
    const char *prefix = region;

    if (strcmp(region, "us-east-1") == 0) {
        count = 6;
        prefix = "use1";
    } else if (strcmp(region, "us-west-2") == 0) {
        count = 4;
        prefix = "usw2";
    } else {
        count = 3;
    }
    for (i = 0; i < count; i++) {
        snprintf(name, sizeof(name), "%s%c", region, (char)('a' + i));
        snprintf(id, sizeof(id), "%s-az%zu", prefix, i + 1);
        zone(&z[n++], name, id, region,
             strcmp(name, "us-east-1e") == 0 ? "impaired" : "available",
             "opt-in-not-required", "availability-zone");
    }
    if (strcmp(region, "us-east-1") == 0)
        zone(&z[n++], "us-east-1-bos-1a", "use1-bos1-az1", "us-east-1-bos-1",
             "available", "not-opted-in", "local-zone");
    return n;
}

/* The zone's value for a filter name, or NULL for an unknown filter. */
static const char *filter_field(const struct zone *z, const char *region,
                                const char *name)
{
    if (strcmp(name, "state") == 0)
        return z->state;
    if (strcmp(name, "zone-name") == 0)
        return z->name;
    if (strcmp(name, "zone-id") == 0)
        return z->id;
    if (strcmp(name, "opt-in-status") == 0)
        return z->opt_in;
    if (strcmp(name, "group-name") == 0)
        return z->group;
    if (strcmp(name, "region-name") == 0)
        return region;
    if (strcmp(name, "zone-type") == 0)
        return z->type;
    return NULL;
}

/* Whether the zone passes every Filter.N; -1 (error answered) for an
 * unknown filter name. */
static int passes_filters(const struct zone *z, const char *region,
                          const struct sim_req *req, struct sim_resp *resp)
{
    char key[64];
    int n;

    for (n = 1;; n++) {
        const char *fname, *field;
        int m, any = 0;

        snprintf(key, sizeof(key), "Filter.%d.Name", n);
        if (!(fname = sim_req_param(req, key)))
            return 1;
        if (!(field = filter_field(z, region, fname))) {
            sim_aws_error(resp, req, 400, "Sender", "InvalidParameterValue",
                          "The filter '%s' is invalid", fname);
            return -1;
        }
        for (m = 1;; m++) {
            const char *v;

            snprintf(key, sizeof(key), "Filter.%d.Value.%d", n, m);
            if (!(v = sim_req_param(req, key)))
                break;
            if (fnmatch(v, field, 0) == 0)
                any = 1;
        }
        if (!any)
            return 0;
    }
}

/* Whether the zone is in the ZoneName.N / ZoneId.N selection (all when
 * none is given). */
static int selected(const struct zone *z, const struct sim_req *req)
{
    char key[64];
    int n, given = 0;

    for (n = 1;; n++) {
        const char *v;

        snprintf(key, sizeof(key), "ZoneName.%d", n);
        if (!(v = sim_req_param(req, key)))
            break;
        given = 1;
        if (strcmp(v, z->name) == 0)
            return 1;
    }
    for (n = 1;; n++) {
        const char *v;

        snprintf(key, sizeof(key), "ZoneId.%d", n);
        if (!(v = sim_req_param(req, key)))
            break;
        given = 1;
        if (strcmp(v, z->id) == 0)
            return 1;
    }
    return !given;
}

/* Every ZoneName.N / ZoneId.N names a zone of the region; else answer. */
static int check_selection(const struct zone *zones, size_t nz,
                           const struct sim_req *req, struct sim_resp *resp)
{
    static const char *const kinds[] = {"ZoneName", "ZoneId"};
    char key[64];
    size_t k, i;
    int n;

    for (k = 0; k < 2; k++) {
        for (n = 1;; n++) {
            const char *v;
            int found = 0;

            snprintf(key, sizeof(key), "%s.%d", kinds[k], n);
            if (!(v = sim_req_param(req, key)))
                break;
            for (i = 0; i < nz; i++) {
                if (strcmp(v, k == 0 ? zones[i].name : zones[i].id) == 0)
                    found = 1;
            }
            if (!found) {
                sim_aws_error(resp, req, 400, "Sender", "InvalidParameterValue",
                              k == 0 ? "Invalid availability zone: [%s]"
                                     : "Invalid availability zone ID: [%s]",
                              v);
                return -1;
            }
        }
    }
    return 0;
}

void sim_ec2_handle(struct sim *sim, struct sim_req *req, const char *action,
                    struct sim_resp *resp)
{
    struct zone zones[8];
    const char *region = req->region[0] ? req->region : "us-east-1";
    const char *all = sim_req_param(req, "AllAvailabilityZones");
    int every = all && strcmp(all, "true") == 0;
    size_t nz, i;
    int rc;

    (void)sim;
    (void)action;
    nz = region_zones(zones, region);
    if (check_selection(zones, nz, req, resp) != 0)
        return;
    resp->status = 200;
    resp->content_type = "text/xml";
    tern_buf_clear(&resp->body);
    tern_buf_printf(&resp->body,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<DescribeAvailabilityZonesResponse xmlns=\"%s\">\n  ",
                    SIM_EC2_NS);
    sim_xml_elem(&resp->body, "requestId", req->request_id);
    tern_buf_puts(&resp->body, "\n  <availabilityZoneInfo>\n");
    for (i = 0; i < nz; i++) {
        const struct zone *z = &zones[i];

        if (!every && strcmp(z->opt_in, "not-opted-in") == 0 &&
            !sim_req_param(req, "ZoneName.1") &&
            !sim_req_param(req, "ZoneId.1"))
            continue;
        if (!selected(z, req))
            continue;
        if ((rc = passes_filters(z, region, req, resp)) < 0)
            return;
        if (rc == 0)
            continue;
        tern_buf_puts(&resp->body, "    <item>\n      ");
        sim_xml_elem(&resp->body, "zoneState", z->state);
        tern_buf_puts(&resp->body, "\n      ");
        sim_xml_elem(&resp->body, "optInStatus", z->opt_in);
        tern_buf_puts(&resp->body, "\n      <messageSet/>\n      ");
        sim_xml_elem(&resp->body, "regionName", region);
        tern_buf_puts(&resp->body, "\n      ");
        sim_xml_elem(&resp->body, "zoneName", z->name);
        tern_buf_puts(&resp->body, "\n      ");
        sim_xml_elem(&resp->body, "zoneId", z->id);
        tern_buf_puts(&resp->body, "\n      ");
        sim_xml_elem(&resp->body, "groupName", z->group);
        tern_buf_puts(&resp->body, "\n      ");
        sim_xml_elem(&resp->body, "networkBorderGroup", z->group);
        tern_buf_puts(&resp->body, "\n      ");
        sim_xml_elem(&resp->body, "zoneType", z->type);
        tern_buf_puts(&resp->body, "\n    </item>\n");
    }
    tern_buf_puts(&resp->body, "  </availabilityZoneInfo>\n"
                               "</DescribeAvailabilityZonesResponse>\n");
}
