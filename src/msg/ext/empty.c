/*
 * Extensions whose data is empty: server_name in ServerHello/EncryptedExtensions (RFC 6066
 * 3), early_data in ClientHello/EncryptedExtensions (RFC 8446 4.2.10), post_handshake_auth
 * (4.2.6), encrypt_then_mac (RFC 7366), extended_master_secret (RFC 7627), session_ticket
 * in a ServerHello (RFC 5077), ...
 */
#include "base/err.h"
#include "msg/msg.h"

int cl_ext_empty(cl_reader ext)
{
    return cl_read_end(&ext);
}
