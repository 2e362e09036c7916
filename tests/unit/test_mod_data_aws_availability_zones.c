/*
 * data "aws_availability_zones" against tern-sim: the region's zones
 * sorted by name, the exclusions applied after the call, state and filter
 * blocks sent as EC2 filters, all_availability_zones, group_names once
 * each, the id, the state check, and EC2's error carried to the user.
 */
#include "runner.h"
#include "test_mod.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const tern_module tern_module_data_aws_availability_zones;
#define AZ (&tern_module_data_aws_availability_zones)

int tern__az_state_check(const char *value, char *why, size_t why_size);

#define UNSET                                                                  \
    "\"all_availability_zones\": null, \"exclude_names\": null, "              \
    "\"exclude_zone_ids\": null, \"filter\": null, \"state\": null"

static const char *read_zones(struct mod_fx *fx, const char *cfg_text)
{
    static char buf[4096];
    json_t *cfg = mod_json(cfg_text), *st = NULL;
    char *s;

    if (AZ->read(&st, &fx->op, cfg) != TERN_OK)
        FAIL("read: %s", mod_diag_text(fx));
    ASSERT_STR_EQ(mod_calls(fx), "DescribeAvailabilityZones");
    mod_clear_calls(fx);
    /* What was set stays as configured. */
    json_object_del(st, "group_names");
    json_object_del(st, "names");
    json_object_del(st, "zone_ids");
    json_object_del(st, "id");
    ASSERT_TRUE(json_equal(st, cfg));
    json_decref(st);
    st = NULL;
    ASSERT_OK(AZ->read(&st, &fx->op, cfg));
    s = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(buf, sizeof(buf), "%s", s ? s : "(null)");
    free(s);
    mod_clear_calls(fx);
    json_decref(st);
    json_decref(cfg);
    return buf;
}

static void start(struct mod_fx *fx)
{
    mod_fx_start(fx, NULL);
    fx->provider = mod_json("{\"region\": \"us-east-1\"}");
    fx->op.provider = fx->provider;
    fx->op.address = "data.aws_availability_zones.z";
    mod_clear_calls(fx);
}

TEST(mod_data_aws_availability_zones, defaults_and_exclusions)
{
    struct mod_fx fx;

    start(&fx);
    ASSERT_STR_EQ(
        read_zones(&fx, "{" UNSET "}"),
        "{\"all_availability_zones\":null,\"exclude_names\":null,"
        "\"exclude_zone_ids\":null,\"filter\":null,"
        "\"group_names\":[\"us-east-1\"],\"id\":\"us-east-1\","
        "\"names\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\","
        "\"us-east-1d\",\"us-east-1e\",\"us-east-1f\"],\"state\":null,"
        "\"zone_ids\":[\"use1-az1\",\"use1-az2\",\"use1-az3\",\"use1-az4\","
        "\"use1-az5\",\"use1-az6\"]}");
    /* Exclusions after the call: names and zone_ids stay parallel. */
    ASSERT_STR_EQ(
        read_zones(&fx, "{\"all_availability_zones\": null, "
                        "\"exclude_names\": [\"us-east-1b\"], "
                        "\"exclude_zone_ids\": [\"use1-az5\", \"use1-az9\"], "
                        "\"filter\": null, \"state\": null}"),
        "{\"all_availability_zones\":null,\"exclude_names\":[\"us-east-1b\"],"
        "\"exclude_zone_ids\":[\"use1-az5\",\"use1-az9\"],\"filter\":null,"
        "\"group_names\":[\"us-east-1\"],\"id\":\"us-east-1\","
        "\"names\":[\"us-east-1a\",\"us-east-1c\",\"us-east-1d\","
        "\"us-east-1f\"],\"state\":null,"
        "\"zone_ids\":[\"use1-az1\",\"use1-az3\",\"use1-az4\",\"use1-az6\"]}");
    ASSERT_EQ(fx.diags.count, 0);
    mod_fx_stop(&fx);
}

TEST(mod_data_aws_availability_zones, state_and_filters)
{
    struct mod_fx fx;

    start(&fx);
    /* state = "available" drops the impaired zone. */
    ASSERT_STR_EQ(
        read_zones(&fx, "{\"all_availability_zones\": null, "
                        "\"exclude_names\": null, \"exclude_zone_ids\": "
                        "null, \"filter\": null, \"state\": \"available\"}"),
        "{\"all_availability_zones\":null,\"exclude_names\":null,"
        "\"exclude_zone_ids\":null,\"filter\":null,"
        "\"group_names\":[\"us-east-1\"],\"id\":\"us-east-1\","
        "\"names\":[\"us-east-1a\",\"us-east-1b\",\"us-east-1c\","
        "\"us-east-1d\",\"us-east-1f\"],\"state\":\"available\","
        "\"zone_ids\":[\"use1-az1\",\"use1-az2\",\"use1-az3\",\"use1-az4\","
        "\"use1-az6\"]}");
    /* All zones, the Local Zone sorted among them by name, each group
     * once; state and two filter blocks all apply. */
    ASSERT_STR_EQ(
        read_zones(&fx,
                   "{\"all_availability_zones\": true, \"exclude_names\": "
                   "null, \"exclude_zone_ids\": null, \"filter\": ["
                   "{\"name\": \"zone-id\", \"values\": [\"use1-az1\", "
                   "\"use1-bos1-az1\", \"use1-az2\", \"use1-az5\"]},"
                   "{\"name\": \"zone-name\", \"values\": [\"us-east-1*\"]}],"
                   " \"state\": \"available\"}"),
        "{\"all_availability_zones\":true,\"exclude_names\":null,"
        "\"exclude_zone_ids\":null,\"filter\":[{\"name\":\"zone-id\","
        "\"values\":[\"use1-az1\",\"use1-bos1-az1\",\"use1-az2\","
        "\"use1-az5\"]},{\"name\":\"zone-name\",\"values\":"
        "[\"us-east-1*\"]}],"
        "\"group_names\":[\"us-east-1\",\"us-east-1-bos-1\"],"
        "\"id\":\"us-east-1\",\"names\":[\"us-east-1-bos-1a\","
        "\"us-east-1a\",\"us-east-1b\"],\"state\":\"available\","
        "\"zone_ids\":[\"use1-bos1-az1\",\"use1-az1\",\"use1-az2\"]}");
    ASSERT_EQ(fx.diags.count, 0);
    mod_fx_stop(&fx);
}

TEST(mod_data_aws_availability_zones, errors)
{
    struct mod_fx fx;
    json_t *cfg, *st = NULL;
    char why[256], norm[1024];
    const char *text, *rid;

    ASSERT_EQ(tern__az_state_check("available", why, sizeof(why)), 0);
    ASSERT_EQ(tern__az_state_check("unavailable", why, sizeof(why)), 0);
    ASSERT_NE(tern__az_state_check("up", why, sizeof(why)), 0);
    ASSERT_STR_EQ(why, "must be one of \"available\", \"information\", "
                       "\"impaired\" or \"unavailable\", not \"up\".");
    start(&fx);
    cfg = mod_json("{\"all_availability_zones\": null, \"exclude_names\": "
                   "null, \"exclude_zone_ids\": null, \"filter\": ["
                   "{\"name\": \"colour\", \"values\": [\"blue\"]}], "
                   "\"state\": null}");
    ASSERT_NE(AZ->read(&st, &fx.op, cfg), TERN_OK);
    ASSERT_NULL(st);
    text = mod_diag_text(&fx);
    ASSERT_NOT_NULL(text);
    rid = strstr(text, "request id ");
    ASSERT_NOT_NULL(rid);
    snprintf(norm, sizeof(norm), "%.*srequest id *%s", (int)(rid - text), text,
             strchr(rid, ','));
    ASSERT_STR_EQ(norm, "Cannot read Availability Zones "
                        "[InvalidParameterValue]: EC2 "
                        "DescribeAvailabilityZones: InvalidParameterValue: "
                        "The filter 'colour' is invalid (HTTP 400, request "
                        "id *, 1 attempt)");
    ASSERT_STR_EQ(mod_calls(&fx), "DescribeAvailabilityZones");
    json_decref(cfg);
    mod_fx_stop(&fx);
}

const struct tern_test test_mod_data_aws_availability_zones_list[] = {
    TEST_MODULE(mod_data_aws_availability_zones, defaults_and_exclusions),
    TEST_MODULE(mod_data_aws_availability_zones, state_and_filters),
    TEST_MODULE(mod_data_aws_availability_zones, errors), TEST_END};
