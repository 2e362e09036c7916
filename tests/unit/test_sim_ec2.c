/*
 * tern-sim's EC2 over HTTP: DescribeAvailabilityZones' shape, the zones
 * of the region the request is signed for, its filters, the opt-in rule,
 * ZoneName / ZoneId selection and EC2's error document.
 */
#include "runner.h"
#include "support.h"
#include "aws_call.h"

#include <string.h>

/* Every <tag> text of @p xml, joined with ','. */
static void all_texts(char *out, size_t len, const char *xml, const char *tag)
{
    char open[64], close[64];
    const char *p = xml;
    size_t used = 0;

    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    out[0] = '\0';
    while ((p = strstr(p, open)) != NULL) {
        const char *s = p + strlen(open), *e = strstr(s, close);

        ASSERT_NOT_NULL(e);
        ASSERT_CMP(used + (size_t)(e - s) + 2, <, len);
        used += (size_t)snprintf(out + used, len - used, "%s%.*s",
                                 used ? "," : "", (int)(e - s), s);
        p = e;
    }
}

static void describe(const struct tt_sim *sim, const char *region,
                     const char *const *params, long want_status,
                     const char *tag, const char *want)
{
    struct tt_aws_opts opts = {0};
    struct tt_response r;
    char got[1024];

    opts.region = region;
    ASSERT_OK(tt_aws_call(&r, sim, "ec2", NULL, &opts,
                          "DescribeAvailabilityZones", params));
    if (r.status != want_status)
        FAIL("status %ld, want %ld:\n%s", r.status, want_status, r.body);
    all_texts(got, sizeof(got), r.body, tag); /* as sent, XML-escaped */
    ASSERT_STR_EQ(got, want);
    tt_response_release(&r);
}

TEST(sim_ec2, zones_of_the_signing_region)
{
    struct tt_sim sim;
    struct tt_aws_opts opts = {0};
    struct tt_response r;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    describe(&sim, "us-east-1", NULL, 200, "zoneName",
             "us-east-1a,us-east-1b,us-east-1c,us-east-1d,us-east-1e,"
             "us-east-1f");
    describe(&sim, "us-east-1", NULL, 200, "zoneId",
             "use1-az1,use1-az2,use1-az3,use1-az4,use1-az5,use1-az6");
    describe(&sim, "us-west-2", NULL, 200, "zoneName",
             "us-west-2a,us-west-2b,us-west-2c,us-west-2d");
    describe(&sim, "eu-west-1", NULL, 200, "zoneId",
             "eu-west-1-az1,eu-west-1-az2,eu-west-1-az3");
    /* The shape: no Result wrapper, lists as <item>. */
    opts.region = "eu-west-1";
    ASSERT_OK(tt_aws_call(&r, &sim, "ec2", NULL, &opts,
                          "DescribeAvailabilityZones", NULL));
    ASSERT_EQ(r.status, 200);
    ASSERT_NOT_NULL(
        strstr(r.body, "<DescribeAvailabilityZonesResponse "
                       "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"));
    ASSERT_NOT_NULL(strstr(r.body,
                           "<availabilityZoneInfo>\n    <item>\n      "
                           "<zoneState>available</zoneState>\n      "
                           "<optInStatus>opt-in-not-required</optInStatus>\n"
                           "      <messageSet/>\n      "
                           "<regionName>eu-west-1</regionName>\n      "
                           "<zoneName>eu-west-1a</zoneName>\n      "
                           "<zoneId>eu-west-1-az1</zoneId>\n      "
                           "<groupName>eu-west-1</groupName>\n"));
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

TEST(sim_ec2, filters_and_selection)
{
    static const char *const all[] = {"AllAvailabilityZones", "true", NULL};
    static const char *const state[] = {"Filter.1.Name", "state",
                                        "Filter.1.Value.1", "available", NULL};
    static const char *const two[] = {"Filter.1.Name",
                                      "zone-name",
                                      "Filter.1.Value.1",
                                      "us-east-1[abc]",
                                      "Filter.1.Value.2",
                                      "us-east-1f",
                                      "Filter.2.Name",
                                      "zone-id",
                                      "Filter.2.Value.1",
                                      "use1-az?",
                                      NULL};
    static const char *const opt_in[] = {"AllAvailabilityZones",
                                         "true",
                                         "Filter.1.Name",
                                         "opt-in-status",
                                         "Filter.1.Value.1",
                                         "not-opted-in",
                                         NULL};
    static const char *const names[] = {"ZoneName.1", "us-east-1d", "ZoneId.1",
                                        "use1-az2", NULL};
    static const char *const impaired[] = {
        "Filter.1.Name", "state", "Filter.1.Value.1", "impaired", NULL};
    struct tt_sim sim;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    describe(&sim, "us-east-1", all, 200, "zoneName",
             "us-east-1a,us-east-1b,us-east-1c,us-east-1d,us-east-1e,"
             "us-east-1f,us-east-1-bos-1a");
    describe(&sim, "us-east-1", all, 200, "groupName",
             "us-east-1,us-east-1,us-east-1,us-east-1,us-east-1,us-east-1,"
             "us-east-1-bos-1");
    describe(&sim, "us-east-1", state, 200, "zoneName",
             "us-east-1a,us-east-1b,us-east-1c,us-east-1d,us-east-1f");
    describe(&sim, "us-east-1", impaired, 200, "zoneName", "us-east-1e");
    describe(&sim, "us-east-1", two, 200, "zoneName",
             "us-east-1a,us-east-1b,us-east-1c,us-east-1f");
    describe(&sim, "us-east-1", opt_in, 200, "zoneId", "use1-bos1-az1");
    describe(&sim, "us-east-1", names, 200, "zoneName",
             "us-east-1b,us-east-1d");
    tt_sim_stop(&sim);
}

TEST(sim_ec2, errors_are_ec2_documents)
{
    static const char *const bad_filter[] = {"Filter.1.Name", "colour",
                                             "Filter.1.Value.1", "blue", NULL};
    static const char *const bad_zone[] = {"ZoneName.1", "us-east-1z", NULL};
    static const char *const bad_id[] = {"ZoneId.1", "use1-az9", NULL};
    struct tt_sim sim;
    struct tt_response r;

    ASSERT_OK(tt_sim_start(&sim, NULL));
    describe(&sim, "us-east-1", bad_filter, 400, "Message",
             "The filter &apos;colour&apos; is invalid");
    describe(&sim, "us-east-1", bad_zone, 400, "Message",
             "Invalid availability zone: [us-east-1z]");
    describe(&sim, "us-east-1", bad_id, 400, "Code", "InvalidParameterValue");
    describe(&sim, "us-east-1", bad_id, 400, "Message",
             "Invalid availability zone ID: [use1-az9]");
    /* Signed for IAM: the scope names the wrong service. */
    ASSERT_OK(tt_aws_call(&r, &sim, "iam", NULL, NULL,
                          "DescribeAvailabilityZones", NULL));
    ASSERT_EQ(r.status, 403);
    ASSERT_NOT_NULL(strstr(r.body, "<Response><Errors><Error><Code>"
                                   "SignatureDoesNotMatch</Code>"));
    ASSERT_STR_EQ(tt_xml_text(r.body, "Message"),
                  "Credential should be scoped to correct service: "
                  "&apos;ec2&apos;. ");
    ASSERT_NOT_NULL(tt_xml_text(r.body, "RequestID"));
    tt_response_release(&r);
    tt_sim_stop(&sim);
}

const struct tern_test test_sim_ec2_list[] = {
    TEST_INTEGRATION(sim_ec2, zones_of_the_signing_region),
    TEST_INTEGRATION(sim_ec2, filters_and_selection),
    TEST_INTEGRATION(sim_ec2, errors_are_ec2_documents), TEST_END};
