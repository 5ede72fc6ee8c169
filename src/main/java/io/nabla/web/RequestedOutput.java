package io.nabla.web;

/**
 * An output a request asked for.
 *
 * @param name the output's name
 * @param binary {@code parameters.binary_data} of the request's output entry, or null when not given
 */
record RequestedOutput(String name, Boolean binary) {
}
