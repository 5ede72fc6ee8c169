package io.nabla.web;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;

/** Counts the bytes read from a request body and fails with {@link BodyTooLargeException} past the limit. */
final class CountingInputStream extends ServletInputStream {

    private final ServletInputStream in;
    private final long limit;
    private long count;

    CountingInputStream(ServletInputStream in, long limit) {
        this.in = in;
        this.limit = limit;
    }

    private int counted(int n) {
        if (n > 0) {
            count += n;
            if (count > limit) {
                throw BodyTooLargeException.of(limit, "(sent without a Content-Length, or longer than it)");
            }
        }
        return n;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return counted(in.read(b, off, len));
    }

    @Override
    public boolean isFinished() {
        return in.isFinished();
    }

    @Override
    public boolean isReady() {
        return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
        in.setReadListener(listener);
    }
}
