/**
 * The HTTP edge: Open Inference Protocol (KServe V2), model repository and dataset controllers, the streaming request
 * reader and response writer, the body-limit, bearer-token and after-dispatch filters, and the uniform
 * {@code {"error": ...}} answers. Depends on inference, jobs and config; nothing depends on it.
 */
package io.nabla.web;
