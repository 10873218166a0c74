/*
 * api.h: JSON API handlers (/api/v1/...) and the operations endpoints (/healthz, /metrics).
 *
 * Answers are JSON objects; errors are {"error":{"code":..,"message":..}} with the message in
 * the caller's language (http_dispatch renders them).
 */
#ifndef PONTE_API_H
#define PONTE_API_H

#include "http/http.h"

int api_healthz(http_request *req, http_response *res);
int api_metrics(http_request *req, http_response *res);
int api_instance(http_request *req, http_response *res);

#endif
