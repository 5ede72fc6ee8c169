package io.nabla.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Dataset files for the tests: the golden MLP data, and hand-made safetensors files with any header. */
public final class DatasetFiles {

    /** The golden fixture: 'input' (96, 20) F32 and 'target' (96) I64. */
    public static final Path GOLDEN = Path.of("src/test/resources/golden/models/mlp_sgd/data.safetensors");

    private DatasetFiles() {
    }

    public static byte[] golden() {
        try {
            return Files.readAllBytes(GOLDEN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A safetensors file with the given header JSON followed by {@code dataBytes} zero bytes. */
    public static byte[] raw(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    /** One tensor entry of a header: {@code "name":{"dtype":..,"shape":[..],"data_offsets":[begin,end]}}. */
    public static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin
                + "," + end + "]}";
    }
}
