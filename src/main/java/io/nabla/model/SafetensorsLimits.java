package io.nabla.model;

import tools.jackson.core.StreamReadConstraints;

/**
 * The limits every safetensors header is read under, in one place, so that whatever is accepted once can be read
 * again: the header reader ({@link SafetensorsHeaderJson}) and anything that stores names taken from a header and
 * parses them back later (the dataset description next to an uploaded dataset) use the same JSON constraints, and
 * the writer refuses what the reader would refuse.
 */
public final class SafetensorsLimits {

    /** The largest header the reference implementation (huggingface/safetensors) accepts, in bytes. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /**
     * The longest tensor name accepted, in characters. PyTorch's {@code state_dict()} names are dotted module paths
     * (even large transformers stay under 200 characters); a name of many kilobytes is hostile, and every name is
     * echoed back in descriptions, listings and messages, so it is refused when the file is read.
     */
    public static final int MAX_TENSOR_NAME_LENGTH = 1024;

    private SafetensorsLimits() {
    }

    /**
     * The JSON constraints of a safetensors header (a single name or string may be as long as the whole header),
     * for every parser that reads names taken from one: Jackson's defaults (50,000 characters per name) are lower
     * than what a header may hold, and a description written from an accepted upload must parse again on restart.
     */
    public static StreamReadConstraints jsonConstraints() {
        return StreamReadConstraints.builder()
                .maxNameLength((int) MAX_HEADER_BYTES)
                .maxStringLength((int) MAX_HEADER_BYTES)
                .build();
    }

    /**
     * Fails, naming the limit and the actual length, when {@code name} is longer than
     * {@link #MAX_TENSOR_NAME_LENGTH}; {@code source} prefixes the message (a file name, or empty).
     */
    static void checkTensorName(String name, String source) {
        if (name.length() > MAX_TENSOR_NAME_LENGTH) {
            throw new SafetensorsException(source + "tensor name " + SafetensorsText.quote(name.substring(0, 40))
                    + "... is too long: " + name.length() + " characters, the limit for a tensor name is "
                    + MAX_TENSOR_NAME_LENGTH);
        }
    }
}
