#include <curl/curl.h>

/* CURL_GLOBAL_DEFAULT is a composite macro and curl_easy_setopt is variadic: one typed entry each. */
static inline CURLcode floor_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }
static inline CURLcode floor_curl_set_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
