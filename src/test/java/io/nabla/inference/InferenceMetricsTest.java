package io.nabla.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The memory gauge of a loaded version follows its newest incarnation. */
class InferenceMetricsTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final InferenceMetrics metrics = new InferenceMetrics(meters);

    private static LoadedModel incarnation(long bytes) {
        LoadedModel m = mock(LoadedModel.class);
        when(m.version()).thenReturn(new StoredVersion("m", 1, Path.of("m/1")));
        when(m.bytes()).thenReturn(bytes);
        return m;
    }

    private Gauge gauge() {
        return meters.find("nabla.model.memory").tag("model", "m").tag("version", "1").gauge();
    }

    /**
     * A version unloaded and loaded again at once: the new incarnation is tracked before the old one's worker has
     * stopped and untracked it. The gauge reports the new one, and the late untrack of the old one leaves it.
     */
    @Test
    void aVersionLoadedAgainBeforeItsOldIncarnationStoppedKeepsItsGauge() {
        LoadedModel old = incarnation(100);
        LoadedModel again = incarnation(200);
        metrics.track(old);
        assertThat(gauge().value()).isEqualTo(100);
        metrics.track(again);
        metrics.untrack(old);
        assertThat(gauge()).as("the gauge after the old incarnation stopped").isNotNull();
        assertThat(gauge().value()).isEqualTo(200);
        metrics.untrack(again);
        assertThat(gauge()).as("the gauge after the last incarnation stopped").isNull();
    }
}
