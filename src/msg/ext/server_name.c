/*
 * server_name in a ClientHello (RFC 6066 section 3):
 *
 *     struct {
 *         NameType name_type;
 *         select (name_type) { case host_name: HostName; } name;
 *     } ServerName;
 *     enum { host_name(0), (255) } NameType;
 *     opaque HostName<1..2^16-1>;
 *     struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
 */
#include "base/err.h"
#include "msg/msg.h"

#define NAME_TYPE_HOST_NAME 0
#define MAX_HOST_NAME_LEN   255 /* RFC 1035 2.3.4: names are 255 octets or less, */
#define MAX_LABEL_LEN       63  /* labels 63 octets or less */

static int label_byte(uint8_t b)
{
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' ||
           b == '_';
}

/*
 * Section 3: "the fully qualified DNS hostname of the server ... represented as a byte string
 * using ASCII encoding without a trailing dot", internationalized names as A-labels (RFC
 * 5890). So: labels of letters, digits and hyphens (RFC 1123 2.1), 1 to 63 bytes each,
 * joined by single dots; no empty label, no trailing dot. Underscores are accepted too: not
 * in RFC 1123's host syntax, but found in real names (RFC 2181 11 allows any label), and a
 * name here only selects a configuration, it is never resolved or printed raw. HostName is
 * an opaque vector, so a name breaking these rules parses: it is a wrong value, and RFC 8446
 * 6 makes that illegal_parameter ("syntactically correct but semantically invalid").
 */
static int check_host_name(cl_reader name, const uint8_t **p, size_t *len)
{
    const uint8_t *s;
    size_t n = cl_reader_left(&name), label = 0;
    CL_CHECK(n <= MAX_HOST_NAME_LEN, CLASP_ERR_ILLEGAL_PARAMETER);
    CL_TRY(cl_read_bytes(&name, n, &s));
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            CL_CHECK(label > 0, CLASP_ERR_ILLEGAL_PARAMETER); /* ".a", "a..b" */
            label = 0;
        } else {
            CL_CHECK(label_byte(s[i]) && ++label <= MAX_LABEL_LEN, CLASP_ERR_ILLEGAL_PARAMETER);
        }
    }
    CL_CHECK(label > 0, CLASP_ERR_ILLEGAL_PARAMETER); /* "a." */
    *p = s;
    *len = n;
    return 0;
}

static int read_name(cl_reader *list, uint8_t seen[32], const uint8_t **name, size_t *name_len)
{
    uint8_t type;
    cl_reader v;
    CL_TRY(cl_read_u8(list, &type));
    /* Section 3: "all future data structures associated with new NameTypes MUST begin with
     * a 16-bit length field", so a name of another type can be skipped. */
    CL_TRY(cl_read_vec(list, 2, type == NAME_TYPE_HOST_NAME ? 1 : 0, 0xffff, &v));
    /* Section 3: "The ServerNameList MUST NOT contain more than one name of the same
     * name_type." No alert is named: a field with a wrong value is illegal_parameter. */
    uint8_t bit = (uint8_t)(1u << (type & 7));
    CL_CHECK(!(seen[type >> 3] & bit), CLASP_ERR_ILLEGAL_PARAMETER);
    seen[type >> 3] |= bit;
    if (type == NAME_TYPE_HOST_NAME)
        CL_TRY(check_host_name(v, name, name_len));
    return 0;
}

int cl_ext_server_name_ch(cl_reader ext, const uint8_t **name, size_t *name_len)
{
    cl_reader list;
    uint8_t seen[32] = {0}; /* one bit per name_type */
    *name = NULL;
    *name_len = 0;
    CL_TRY(cl_read_vec(&ext, 2, 1, 0xffff, &list));
    CL_TRY(cl_read_end(&ext));
    while (cl_reader_left(&list))
        CL_TRY(read_name(&list, seen, name, name_len));
    return 0;
}
