/* Built against an installed clasp, once through pkg-config and once through find_package. */
#include <stdio.h>
#include <string.h>

#include <clasp/clasp.h>

int main(void)
{
    const char *name = clasp_alert_name(clasp_err_alert(CLASP_ERR_DECODE));
    printf("clasp %s: CLASP_ERR_DECODE sends %s\n", clasp_version(), name);
    return strcmp(name, "decode_error") == 0 ? 0 : 1;
}
