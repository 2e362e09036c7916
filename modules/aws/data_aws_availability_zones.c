/*
 * data "aws_availability_zones": the Availability Zones of the provider's
 * region, as internal/service/ec2/ec2_availability_zones_data_source.go
 * reads them.
 *
 * Calls: EC2 DescribeAvailabilityZones, once (the action has no paging),
 * through the provider's EC2 client. all_availability_zones is sent as
 * AllAvailabilityZones when true; state becomes the first filter
 * (state = VALUE), the filter blocks follow in the configuration's order;
 * no Filter is sent when there is none.
 *
 * Quirks, as the provider:
 * - The zones are sorted by name; exclude_names and exclude_zone_ids drop
 *   zones after the call, so names and zone_ids stay parallel lists.
 * - group_names is a set: each group once, sorted.
 * - The id is the provider's region.
 * - state must be one of the AvailabilityZoneState values of the EC2 model
 *   (tern_arg_checks[], tern__az_state_check()).
 */
#include "iam_common.h"

#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

static const tern_attr filter_schema[] = {
    {"name", TERN_TYPE_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {"values", TERN_TYPE_SET_STRING, TERN_ATTR_REQUIRED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

static const tern_attr schema[] = {
    {"all_availability_zones", TERN_TYPE_BOOL, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    {"exclude_names", TERN_TYPE_SET_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"exclude_zone_ids", TERN_TYPE_SET_STRING, TERN_ATTR_OPTIONAL, NULL, NULL,
     0},
    {"filter", TERN_TYPE_BLOCK_SET, TERN_ATTR_OPTIONAL, NULL, filter_schema, 0},
    {"group_names", TERN_TYPE_SET_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"id", TERN_TYPE_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"names", TERN_TYPE_LIST_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {"state", TERN_TYPE_STRING, TERN_ATTR_OPTIONAL, NULL, NULL, 0},
    {"zone_ids", TERN_TYPE_LIST_STRING, TERN_ATTR_COMPUTED, NULL, NULL, 0},
    {NULL, 0, 0, NULL, NULL, 0}};

/* AvailabilityZoneState in botocore's ec2 2016-11-15 model. */
static const char *const states[] = {"available", "information", "impaired",
                                     "unavailable", NULL};

int tern__az_state_check(const char *value, char *why, size_t why_size)
{
    size_t i;

    for (i = 0; states[i]; i++) {
        if (strcmp(value, states[i]) == 0)
            return 0;
    }
    snprintf(why, why_size,
             "must be one of \"available\", \"information\", \"impaired\" or "
             "\"unavailable\", not \"%s\".",
             value);
    return 1;
}

struct zone {
    const char *name, *id, *group;
};

static int zone_cmp(const void *a, const void *b)
{
    const struct zone *x = a, *y = b;

    return strcmp(x->name, y->name);
}

static int in_set(const json_t *set, const char *s)
{
    size_t i;
    const json_t *v;

    json_array_foreach(set, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return 1;
    }
    return 0;
}

/* Add @p s to the sorted set @p set, in order; non-zero on failure. */
static int set_add(json_t *set, const char *s)
{
    size_t i = 0;

    while (i < json_array_size(set) &&
           strcmp(json_string_value(json_array_get(set, i)), s) < 0)
        i++;
    return json_array_insert_new(set, i, json_string(s));
}

/* The strings of a JSON array, borrowed; *n receives the count. */
static const char **strings(const json_t *arr, size_t *n)
{
    const char **l = tern_calloc(json_array_size(arr) + 1, sizeof(*l));
    size_t i;

    *n = 0;
    if (!l)
        return NULL;
    for (i = 0; i < json_array_size(arr); i++) {
        const char *s = json_string_value(json_array_get(arr, i));

        if (s)
            l[(*n)++] = s;
    }
    return l;
}

static int request(tern_buf *b, const json_t *config)
{
    const json_t *all = json_object_get(config, "all_availability_zones");
    const json_t *filters = json_object_get(config, "filter");
    const char *state = tern__str(config, "state");
    size_t i, nf = 0;
    const json_t *f;

    if (state) {
        const char *one[1];

        one[0] = state;
        tern_aws_query_add_ec2_filter(b, ++nf, "state", one, 1);
    }
    json_array_foreach(filters, i, f)
    {
        size_t n;
        const char **values = strings(json_object_get(f, "values"), &n);

        if (!values)
            return TERN_ENOMEM;
        tern_aws_query_add_ec2_filter(b, ++nf, tern__str(f, "name"), values, n);
        tern_free(values);
    }
    if (json_is_true(all))
        tern_aws_query_add(b, "AllAvailabilityZones", "true");
    return tern_buf_oom(b) ? TERN_ENOMEM : TERN_OK;
}

static int zones_read(json_t **out, tern_op *op, const json_t *config)
{
    const json_t *xn = json_object_get(config, "exclude_names");
    const json_t *xi = json_object_get(config, "exclude_zone_ids");
    tern_buf b = TERN_BUF_INIT;
    tern_xml_node *root = NULL;
    const tern_xml_node *it;
    struct zone *zones = NULL;
    json_t *names = json_array(), *ids = json_array(), *groups = json_array();
    size_t n = 0, cap = 0, i;
    int error;

    TERN_CHECK_ALLOC(names);
    TERN_CHECK_ALLOC(ids);
    TERN_CHECK_ALLOC(groups);
    if ((error = request(&b, config)))
        goto done;
    error = tern__ec2_call(op, "DescribeAvailabilityZones", &b, &root, 0,
                           "Cannot read Availability Zones");
    if (error)
        goto done;
    it = tern_xml_find(root, "availabilityZoneInfo/item");
    for (; it; it = tern_xml_next(it))
        cap++;
    zones = tern_calloc(cap + 1, sizeof(*zones));
    TERN_CHECK_ALLOC(zones);
    for (it = tern_xml_find(root, "availabilityZoneInfo/item"); it;
         it = tern_xml_next(it)) {
        const char *name = tern_xml_text(it, "zoneName");

        if (!name)
            continue;
        zones[n].name = name;
        zones[n].id = tern_xml_text(it, "zoneId");
        zones[n].group = tern_xml_text(it, "groupName");
        n++;
    }
    qsort(zones, n, sizeof(*zones), zone_cmp);
    for (i = 0; i < n; i++) {
        const char *id = zones[i].id ? zones[i].id : "";
        const char *group = zones[i].group ? zones[i].group : "";

        if (in_set(xn, zones[i].name) || in_set(xi, id))
            continue;
        if (!in_set(groups, group) && set_add(groups, group)) {
            error = TERN_ENOMEM;
            goto done;
        }
        if (json_array_append_new(names, json_string(zones[i].name)) ||
            json_array_append_new(ids, json_string(id))) {
            error = TERN_ENOMEM;
            goto done;
        }
    }
    *out = json_deep_copy(config);
    TERN_CHECK_ALLOC(*out);
    if (json_object_set(*out, "names", names) ||
        json_object_set(*out, "zone_ids", ids) ||
        json_object_set(*out, "group_names", groups) ||
        json_object_set_new(*out, "id", json_string(tern__aws_region(op)))) {
        json_decref(*out);
        *out = NULL;
        error = TERN_ENOMEM;
    }
done:
    tern_free(zones);
    tern_xml_free(root);
    tern_buf_release(&b);
    json_decref(names);
    json_decref(ids);
    json_decref(groups);
    return error;
}

const tern_module tern_module_data_aws_availability_zones = {
    TERN_MODULE_VERSION,
    "aws_availability_zones",
    TERN_MODULE_DATA,
    "aws",
    schema,
    zones_read,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL};
