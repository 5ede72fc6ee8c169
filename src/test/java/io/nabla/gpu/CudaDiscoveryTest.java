package io.nabla.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Discovery on a machine without a CUDA driver (this development machine) finds no GPU and says so in one info
 * line; on a GPU machine it is skipped (the GPU suite covers that path).
 */
class CudaDiscoveryTest {

    @Test
    void withoutADriverThereAreNoGpusAndOneLogLine() {
        assumeFalse(Files.exists(Path.of("/proc/driver/nvidia/version")), "an NVIDIA driver is loaded here");
        List<ILoggingEvent> lines = capture(CudaDiscovery.class, () -> {
            assertThat(new CudaDiscovery().discover()).isEmpty();
            assertThat(new CudaDiscovery().discover()).as("asked again").isEmpty();
        });
        assertThat(lines).hasSize(2).allSatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.INFO);
            assertThat(e.getFormattedMessage()).isEqualTo("no CUDA driver (libcuda.so.1 not found): running on the CPU");
        });
    }

    @Test
    void theReasonNamesTheMissingLibraryOrTheFirstLine() {
        assertThat(CudaDiscovery.why(new UnsatisfiedLinkError("no jnicudart in java.library.path")))
                .isEqualTo("UnsatisfiedLinkError: no jnicudart in java.library.path");
        Throwable nested = new NoClassDefFoundError("org/bytedeco/cuda/global/cudart");
        nested.initCause(new UnsatisfiedLinkError("/tmp/x/libjnicudart.so: libcuda.so.1: cannot open shared object"));
        assertThat(CudaDiscovery.why(nested)).isEqualTo("libcuda.so.1 not found");
        assertThat(CudaDiscovery.why(new ExceptionInInitializerError("first\nsecond")))
                .isEqualTo("ExceptionInInitializerError: first");
    }

    static List<ILoggingEvent> capture(Class<?> type, Runnable action) {
        Logger logger = (Logger) LoggerFactory.getLogger(type);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            action.run();
        } finally {
            logger.detachAppender(appender);
        }
        return appender.list;
    }
}
