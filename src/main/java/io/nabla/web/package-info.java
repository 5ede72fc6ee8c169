/**
 * The HTTP edge: Open Inference Protocol (KServe V2) and model repository controllers, the streaming request reader
 * and response writer, the body-limit and bearer-token filters, and the uniform {@code {"error": ...}} answers.
 * Depends on inference and config; nothing depends on it.
 */
package io.nabla.web;
