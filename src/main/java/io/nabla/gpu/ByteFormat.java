package io.nabla.gpu;

import java.util.Locale;

/** Byte counts as people read them in messages: "2.1 GiB", "512 B", and pairs in one unit: "77.9 of 79.6 GiB". */
final class ByteFormat {

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private ByteFormat() {
    }

    static String of(long bytes) {
        int u = unit(bytes);
        return number(bytes, u) + " " + UNITS[u];
    }

    /** "{@code part} of {@code whole}", both in the unit that suits {@code whole}. */
    static String of(long part, long whole) {
        int u = unit(Math.max(part, whole));
        return number(part, u) + " of " + number(whole, u) + " " + UNITS[u];
    }

    private static int unit(long bytes) {
        int u = 0;
        double v = Math.abs((double) bytes);
        while (v >= 1024 && u < UNITS.length - 1) {
            v /= 1024;
            u++;
        }
        return u;
    }

    private static String number(long bytes, int unit) {
        if (unit == 0) {
            return Long.toString(bytes);
        }
        return String.format(Locale.ROOT, "%.1f", bytes / Math.pow(1024, unit));
    }
}
