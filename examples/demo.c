/* Placeholder replaced below. */
#include <stdio.h>
#include "selfservice.h"
int main(void) { printf("%s\n", selfservice_version()); return 0; }
