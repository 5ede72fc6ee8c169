package io.nabla.model;

import static io.nabla.model.SafetensorsText.quote;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated safetensors header, checked as strictly as the reference implementation (huggingface/safetensors):
 * an 8-byte little-endian length N with N &lt;= 100,000,000 and 8 + N &lt;= file size; N bytes of UTF-8 JSON (see
 * {@link SafetensorsHeaderJson}); tensors that, sorted by offset, tile the data section from 0 to its last byte
 * with no gap, overlap or trailing byte. Files that start like a zip archive or a Python pickle (PyTorch's
 * {@code .pt}/{@code .bin} formats) and fail those checks are reported as such.
 *
 * <p>Guarantee: nothing is allocated from a size the file declares before that size is checked against the file;
 * the header is read in place from the source.
 */
final class SafetensorsHeader {

    /** The largest header the reference implementation accepts. */
    static final long MAX_HEADER_BYTES = SafetensorsLimits.MAX_HEADER_BYTES;

    final long headerLength;
    final long dataStart;
    final long dataSize;
    final Map<String, String> metadata;
    final boolean hasMetadata;
    /** Entries in data order (by offset). */
    final List<SafetensorsEntry> entries;
    final Map<String, SafetensorsEntry> byName;

    private SafetensorsHeader(long headerLength, long fileSize, SafetensorsHeaderJson.Parsed parsed) {
        this.headerLength = headerLength;
        this.dataStart = 8 + headerLength;
        this.dataSize = fileSize - dataStart;
        this.metadata = Collections.unmodifiableMap(parsed.metadata());
        this.hasMetadata = parsed.hasMetadata();
        List<SafetensorsEntry> sorted = new ArrayList<>(parsed.entries());
        sorted.sort(Comparator.comparingLong(SafetensorsEntry::begin).thenComparingLong(SafetensorsEntry::end));
        this.entries = Collections.unmodifiableList(sorted);
        Map<String, SafetensorsEntry> m = new LinkedHashMap<>();
        for (SafetensorsEntry e : sorted) {
            m.put(e.name(), e);
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    /** Reads and validates the header of {@code src}; fails with a {@link SafetensorsException} naming the flaw. */
    static SafetensorsHeader read(SafetensorsSource src) throws IOException {
        String name = src.name();
        long size = src.size();
        if (size < 8) {
            throw new SafetensorsException(name + ": file too short: " + size
                    + " bytes, but a safetensors file starts with an 8-byte header length");
        }
        ByteBuffer prefix = src.region(0, 8);
        byte[] signature = new byte[8];
        prefix.get(0, signature);
        long n = prefix.getLong(0);
        src.release(prefix);
        if (Long.compareUnsigned(n, MAX_HEADER_BYTES) > 0) {
            throw structural(name, signature, "header too large: the header length is " + Long.toUnsignedString(n)
                    + " bytes, the limit is " + MAX_HEADER_BYTES);
        }
        if (8 + n > size) {
            throw structural(name, signature, "header length " + n + " runs past the end of the file: 8 + " + n
                    + " > " + size + " bytes");
        }
        ByteBuffer header = src.region(8, (int) n);
        try {
            checkUtf8(name, signature, header);
            if (foreignFormat(signature) != null && firstNonBlank(header) != '{') {
                throw structural(name, signature, "header does not start with '{'");
            }
            SafetensorsHeaderJson.Parsed parsed = SafetensorsHeaderJson.parse(
                    new InputStreamReader(new BufferInput(header), StandardCharsets.UTF_8), name, size - 8 - n);
            SafetensorsHeader h = new SafetensorsHeader(n, size, parsed);
            h.checkLayout(name);
            return h;
        } finally {
            src.release(header);
        }
    }

    /** Sorted by offset, the tensors must cover the data section exactly: from 0, no gap, no overlap, to its end. */
    private void checkLayout(String name) {
        long covered = 0;
        SafetensorsEntry prev = null;
        for (SafetensorsEntry e : entries) {
            String where = "tensor " + quote(e.name()) + " at data_offsets [" + e.begin() + ", " + e.end() + "]";
            if (e.begin() < covered) {
                throw new SafetensorsException(name + ": " + where + " overlaps tensor " + quote(prev.name())
                        + " at [" + prev.begin() + ", " + prev.end() + "]");
            }
            if (e.begin() > covered) {
                throw new SafetensorsException(name + ": gap of " + (e.begin() - covered) + " bytes before " + where
                        + (prev == null ? ": the first tensor must begin at 0"
                                : ": the previous tensor " + quote(prev.name()) + " ends at " + covered));
            }
            covered = e.end();
            prev = e;
        }
        if (covered != dataSize) {
            throw new SafetensorsException(name + ": " + (dataSize - covered) + " trailing bytes: the tensors cover "
                    + covered + " of the " + dataSize + " bytes of the data section");
        }
    }

    private static void checkUtf8(String name, byte[] signature, ByteBuffer header) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = header.duplicate();
        CharBuffer out = CharBuffer.allocate(4096);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isError()) {
                int at = in.position();
                throw structural(name, signature, "header is not valid UTF-8: invalid byte sequence at header byte "
                        + at + " (0x" + Integer.toHexString(in.get(at) & 0xff) + ")");
            }
            if (!r.isOverflow()) {
                return;
            }
            out.clear();
        }
    }

    private static int firstNonBlank(ByteBuffer header) {
        for (int i = header.position(); i < header.limit(); i++) {
            byte b = header.get(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return b;
            }
        }
        return -1;
    }

    /** A failure of the file's framing, reported as a foreign format when the file starts like one. */
    private static SafetensorsException structural(String name, byte[] signature, String message) {
        String foreign = foreignFormat(signature);
        if (foreign != null) {
            return new SafetensorsException(name + " looks like " + foreign + ", not safetensors (" + message + ")");
        }
        return new SafetensorsException(name + ": " + message);
    }

    /** What the first bytes say the file is, when they are the signature of a format PyTorch saves, else null. */
    private static String foreignFormat(byte[] s) {
        if (s[0] == 'P' && s[1] == 'K' && s[2] == 3 && s[3] == 4) {
            return "a zip archive (PyTorch's torch.save format)";
        }
        if ((s[0] & 0xff) == 0x80 && s[1] >= 1 && s[1] <= 5) {
            return "a PyTorch pickle (pickle protocol " + s[1] + ")";
        }
        return null;
    }

    /** Reads a buffer's remaining bytes without copying them first. */
    private static final class BufferInput extends InputStream {
        private final ByteBuffer buf;

        BufferInput(ByteBuffer buf) {
            this.buf = buf.duplicate();
        }

        @Override
        public int read() {
            return buf.hasRemaining() ? buf.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!buf.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }
    }
}
