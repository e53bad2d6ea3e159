#ifndef SCANRELAY_CCURLSHIM_H
#define SCANRELAY_CCURLSHIM_H

// Typed entry points for libcurl's variadic calls (curl_easy_setopt, curl_multi_setopt, curl_easy_getinfo), which
// Swift cannot call. One function per argument type: the option decides the type, the caller picks the function.
#include <curl/curl.h>

typedef size_t (*scr_curl_data_callback)(char *data, size_t size, size_t count, void *context);

CURLcode scr_easy_setopt_long(CURL *easy, CURLoption option, long value);
CURLcode scr_easy_setopt_off(CURL *easy, CURLoption option, curl_off_t value);
CURLcode scr_easy_setopt_string(CURL *easy, CURLoption option, const char *value);
CURLcode scr_easy_setopt_pointer(CURL *easy, CURLoption option, void *value);
CURLcode scr_easy_setopt_slist(CURL *easy, CURLoption option, struct curl_slist *value);
CURLcode scr_easy_setopt_data_callback(CURL *easy, CURLoption option, scr_curl_data_callback callback);

/// http and https only: CURLOPT_PROTOCOLS_STR and REDIR_PROTOCOLS_STR where libcurl has them (7.85+), else the masks.
CURLcode scr_easy_allow_http_only(CURL *easy);

CURLMcode scr_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

CURLcode scr_easy_getinfo_long(CURL *easy, CURLINFO info, long *value);

/// The easy handle and result of a CURLMSG_DONE message; 0 for any other message.
int scr_multi_message_done(const CURLMsg *message, CURL **easy, CURLcode *result);

#endif
