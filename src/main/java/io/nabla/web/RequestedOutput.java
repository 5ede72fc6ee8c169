package io.nabla.web;

/**
 * An output a request asked for.
 *
 * @param name the output's name
 * @param binary {@code parameters.binary_data} of the request's output entry, or null when not given
 * @param classification {@code parameters.classification} (Triton's classification extension): how many of the
 *     largest classes to answer with, or null for the tensor itself
 */
record RequestedOutput(String name, Boolean binary, Integer classification) {

    RequestedOutput(String name, Boolean binary) {
        this(name, binary, null);
    }
}
