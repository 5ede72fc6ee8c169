package io.nabla.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.optim.Sgd;
import io.nabla.web.NoInternals;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A job body is strict JSON, refused in the API's words (what, where, expected) and never in Jackson's: no parser
 * feature to enable, no limit accessor, no node type name.
 */
class JobRequestTest {

    private static final String VALID = "{\"model\":\"m\",\"dataset\":\"d\",\"loss\":\"mse\",\"epochs\":1,"
            + "\"batch_size\":4,\"optimizer\":{\"type\":\"sgd\",\"lr\":0.1%s}%s}";

    private static String body(String optimizer, String top) {
        return String.format(VALID, optimizer, top);
    }

    private static Arguments a(String body, String... fragments) {
        return Arguments.of(body, (Object) fragments);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
            a(body(",\"momentum\":NaN", ""), "the request body: malformed JSON at optimizer.momentum"
                    + " (line 1, column 116): NaN is not a JSON number (NaN and Infinity are not accepted)"),
            a(body(",\"momentum\":-Infinity", ""), "at optimizer.momentum",
                    "-Infinity is not a JSON number"),
            a(body(",\"momentum\":Infinity", ""), "Infinity is not a JSON number"),
            a(body(",\"betas\":[NaN,0.9]", ""), "at optimizer.betas[0]", "NaN is not a JSON number"),
            a(body("", ",\"lr\":+1").replace("\"lr\":0.1", "\"lr\":+1"), "at optimizer.lr",
                    "a JSON number may not start with '+'"),
            a(body("", ",\"seed\":1" + "1".repeat(2000)), "at seed (line 1, column",
                    "a number is longer than 1000 characters"),
            a(body("", ",\"" + "k".repeat(60_000) + "\":1"), "the request body: malformed JSON at line 1,",
                    "a field name is longer than 50000 characters"),
            a(body("", "") + body("", ""), "a second JSON value (an object) after the first one"),
            a(body("", "") + " 5", "a second JSON value (a number) after the first one"),
            a(body("", ",\"x\":1 /* c */"), "comments are not allowed in JSON"),
            a(body(",\"momentum\":0x10", ""), "unexpected character 'x'; expected ',' or '}'"),
            a("   ", "the request body: expected a JSON object, got an empty body"),
            a("", "the request body: expected a JSON object, got an empty body"),
            a("[1]", "the request body: expected a JSON object, got an array"),
            a("\"x\"", "the request body: expected a JSON object, got a string"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedBodiesAreRefusedInTheApisWords(String body, String... fragments) {
        assertThatThrownBy(() -> JobRequest.parse(body, 16)).isInstanceOf(IllegalArgumentException.class)
                .extracting(Throwable::getMessage).asString().contains(fragments)
                .satisfies(NoInternals::check);
    }

    @Test
    void nullForAnOptionalFieldMeansItsDefault() {
        JobRequest r = JobRequest.parse(body("", ",\"device\":null,\"seed\":null,\"shuffle\":null"), 16);
        assertThat(r.device()).isEqualTo("auto");
        assertThat(r.seed()).isZero();
        assertThat(r.shuffle()).isFalse();
    }

    @Test
    void nullForAnOptionalOptimizerFieldMeansItsDefault() {
        JobRequest r = JobRequest.parse(body(",\"momentum\":null,\"dampening\":null,\"weight_decay\":null,"
                + "\"nesterov\":null,\"maximize\":null", ""), 16);
        assertThat(r.optimizer().sgd()).isEqualTo(new Sgd.Options(0.1, 0, 0, 0, false, false));
        JobRequest adam = JobRequest.parse(body("", "").replace("\"sgd\"", "\"adam\"").replace("0.1}",
                "0.1,\"betas\":null,\"eps\":null,\"amsgrad\":null}"), 16);
        assertThat(adam.optimizer().adam().beta1()).isEqualTo(0.9);
        assertThat(adam.optimizer().adam().eps()).isEqualTo(1e-8);
        assertThat(adam.optimizer().adam().amsgrad()).isFalse();
    }

    @Test
    void anOmittedLearningRateIsPyTorchs() {
        for (String type : new String[] {"sgd", "adam", "adamw"}) {
            JobRequest r = JobRequest.parse(body("", "").replace("\"sgd\",\"lr\":0.1", "\"" + type + "\""), 16);
            assertThat(r.optimizer().lr()).as(type).isEqualTo(1e-3);
            assertThat(JobRequest.parse(r.toJson())).as(type).isEqualTo(r);
        }
    }

    @Test
    void theOptimizerTypeIsCheckedBeforeItsFields() {
        assertThatThrownBy(() -> JobRequest.parse(body("", "").replace("\"sgd\",\"lr\":0.1", "\"lbfgs\""), 16))
                .hasMessage("optimizer.type: expected one of [sgd, adam, adamw], got \"lbfgs\"");
        assertThatThrownBy(() -> JobRequest.parse(body("", "").replace("\"sgd\",\"lr\":0.1", "\"sgd\",\"lr\":0"),
                16)).hasMessage("optimizer.lr: expected a positive finite number, got 0");
    }

    @Test
    void storedRequestsRoundTripThroughTheLenientReader() {
        JobRequest r = JobRequest.parse(body(",\"momentum\":0.9", ""), 16);
        assertThat(JobRequest.parse(r.toJson())).isEqualTo(r);
    }
}
