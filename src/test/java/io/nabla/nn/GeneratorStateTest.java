package io.nabla.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** getState/setState continue the exact stream of draws, the cached Box-Muller sample included (job checkpoints). */
class GeneratorStateTest {

    @Test
    void aRestoredGeneratorDrawsWhatTheOriginalDrawsNext() {
        Generator g = new Generator(42);
        for (int i = 0; i < 700; i++) {
            g.random(); // past one twist of the Mersenne Twister
        }
        g.normalDouble(0, 1); // leaves the sine sample cached
        long[] state = g.getState();
        Generator copy = new Generator(7);
        copy.setState(state);
        assertThat(copy.normalDouble(0, 1)).isEqualTo(g.normalDouble(0, 1));
        assertThat(copy.randperm(50)).containsExactly(g.randperm(50));
        assertThat(copy.uniformFloat(0, 1)).isEqualTo(g.uniformFloat(0, 1));
        assertThat(copy.initialSeed()).isEqualTo(42);
        assertThat(copy.getState()).containsExactly(g.getState());
    }

    @Test
    void aMalformedStateIsRefusedByName() {
        Generator g = new Generator(0);
        assertThatThrownBy(() -> g.setState(new long[3])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("generator state", "628", "3 values");
        long[] s = g.getState();
        s[1] = 625;
        assertThatThrownBy(() -> g.setState(s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position");
    }
}
