package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** An error quotes what was refused, but never makes the answer as large as a huge request. */
class ErrorBodyTest {

    @Test
    void aLongMessageIsCutAndSaysHowLongItWas() {
        String message = "loss: expected one of [cross_entropy, mse], got \"" + "Z".repeat(100_000) + "\"";
        String sent = new ErrorBody(message).error();
        assertThat(sent).hasSize(ErrorBody.MAX_LENGTH + ("... (" + message.length() + " characters in all)").length())
                .startsWith("loss: expected one of [cross_entropy, mse], got \"ZZZ")
                .endsWith("... (" + message.length() + " characters in all)");
    }

    @Test
    void anOrdinaryMessageIsKept() {
        assertThat(new ErrorBody("epochs: expected an integer in [1, 100000], got 0").error())
                .isEqualTo("epochs: expected an integer in [1, 100000], got 0");
        assertThat(new ErrorBody("x".repeat(ErrorBody.MAX_LENGTH)).error()).hasSize(ErrorBody.MAX_LENGTH);
    }
}
