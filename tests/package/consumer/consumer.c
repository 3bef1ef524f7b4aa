/* A C host of an installed libselfservice: opens a portal, starts a session, prints the version. */
#include <selfservice.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  char* error = NULL;
  char* answer;
  int ok;
  selfservice_portal* portal = selfservice_portal_open("{\"log_level\":\"off\"}", &error);
  if (portal == NULL) {
    fprintf(stderr, "consumer_c: open failed: %s\n", error ? error : "(null)");
    selfservice_free(error);
    return 1;
  }
  answer = selfservice_invoke(portal, "sessions.start",
                              "{\"tenant_id\":1,\"customer_id\":10,\"user_id\":100,"
                              "\"roles\":[\"customer_user\"],\"locale\":\"en-US\"}",
                              "{\"session_type\":\"search\",\"initial_question\":\"VPN\"}");
  ok = answer != NULL && strstr(answer, "\"code\":200") != NULL;
  printf("consumer_c: selfservice %s (abi %d): sessions.start %s\n", selfservice_version(),
         selfservice_abi_version(), ok ? "ok" : (answer ? answer : "(null)"));
  selfservice_free(answer);
  selfservice_portal_close(portal);
  return ok ? 0 : 1;
}
