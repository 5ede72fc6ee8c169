package io.nabla.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** File writes that survive a crash: write to a temporary name, fsync, rename into place, fsync the directory. */
public final class DurableFiles {

    private DurableFiles() {
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        move(tmp, target);
    }

    /** Copies {@code in} to a new file {@code target} and fsyncs it; returns the number of bytes written. */
    public static long copy(InputStream in, Path target) throws IOException {
        long n;
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                OutputStream out = Channels.newOutputStream(ch)) {
            n = in.transferTo(out);
            out.flush();
            ch.force(true);
        }
        return n;
    }

    /** Renames {@code from} to {@code to} atomically and fsyncs the target's directory. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the model store's file system cannot rename " + from + " to " + to
                    + " atomically", e);
        }
        syncDirectory(to.getParent());
    }

    /** Fsyncs every regular file under {@code dir} and the directory itself. */
    public static void syncTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p)) {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                        ch.force(true);
                    }
                }
            }
        }
        syncDirectory(dir);
    }

    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot fsync a directory; the rename is still atomic there
        }
    }

    /** Deletes {@code dir} and everything under it; missing is fine. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
