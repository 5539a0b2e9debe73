/* psk_key_exchange_modes (RFC 8446 4.2.9): PskKeyExchangeMode ke_modes<1..255>; */
#include "base/err.h"
#include "msg/msg.h"

int cl_ext_psk_modes(cl_reader ext, cl_reader *modes)
{
    CL_TRY(cl_read_vec(&ext, 1, 1, 255, modes));
    return cl_read_end(&ext);
}
