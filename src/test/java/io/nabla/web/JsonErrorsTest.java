package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every kind of JSON refusal is described in the service's words (what, where, expected vs actual) and never with
 * Jackson's own text: no Java type, no parser feature, no redacted source description.
 */
class JsonErrorsTest {

    private static final JsonFactory PARSER = JsonFactory.builder().streamReadConstraints(StreamReadConstraints
            .builder().maxNestingDepth(8).maxNumberLength(400).build()).build();

    /** The shape of a small request bound by Spring (the repository index request). */
    record Index(Boolean ready, Integer count, List<Integer> ids) {
    }

    static Stream<Arguments> syntax() {
        return Stream.of(
            Arguments.of("{\"inputs\":[{\"data\":[1,NaN]}]}", new String[] {"at inputs[0].data[1] (line 1, column",
                    "NaN is not a JSON number", "expected a number"}),
            Arguments.of("{\"a\":[-Infinity]}", new String[] {"a[0]", "-Infinity is not a JSON number"}),
            Arguments.of("[[[[[[[[[[1]]]]]]]]]]", new String[] {"nesting depth over the limit of 8"
                    + " (nabla.limits.max-json-depth)"}),
            Arguments.of("{\"a\":[1,2", new String[] {"the JSON ends before it is complete (inside a[1])"}),
            Arguments.of("{\"a\":1}\u0000\u0000", new String[] {"control character 0x00 where a JSON value"}),
            Arguments.of("{\"a\":\"x\ny\"}", new String[] {"control character 0x0A inside a string"}),
            Arguments.of("{\"a\":tru}", new String[] {"unexpected text 'tru'; expected a JSON value"}),
            Arguments.of("{\"a\":[1 2]}", new String[] {"unexpected character '2'; expected ',' or ']'"}),
            Arguments.of("{a:1}", new String[] {"unexpected character 'a'; expected a field name in double quotes"}),
            Arguments.of("{\"a\":-}", new String[] {"unexpected character '}'; expected a digit"}),
            Arguments.of("{\"a\":[1,2}", new String[] {"unexpected '}'; expected ']'"}),
            Arguments.of("{\"a\":01}", new String[] {"invalid number: leading zeroes not allowed"}),
            Arguments.of("{\"a\":1" + "1".repeat(500) + "}", new String[] {"a number is longer than 400 characters"}),
            Arguments.of("{\"a\":'x'}", new String[] {"unexpected character '''; expected a JSON value"}),
            Arguments.of("{\"lr\":+1}", new String[] {"at lr (line 1, column 8): unexpected character '+'; a JSON"
                    + " number may not start with '+' (expected '-' or a digit)"}),
            Arguments.of("{\"a\":[0,+8]}", new String[] {"at a[1]", "may not start with '+'"}),
            Arguments.of("{\"a\":1 /* c */}", new String[] {"unexpected character '/'; comments are not allowed"}),
            Arguments.of("{\"a\":\"\\q\"}", new String[] {"invalid escape '\\q' in a string; expected one of"}),
            Arguments.of("{\"a\":1}]", new String[] {"unexpected ']' with no open array to close"}),
            Arguments.of("{\"a\":0x10}", new String[] {"unexpected character 'x'; expected ',' or '}'"}),
            Arguments.of("{\"a\":[1 \u00e9]}", new String[] {"unexpected character (a non-ASCII character"
                    + " starting with 0xC3); expected ',' or ']'"}));
    }

    @ParameterizedTest
    @MethodSource("syntax")
    void syntaxErrorsSayWhatAndWhere(String json, String[] fragments) {
        JacksonException e = catchThrowableOfType(JacksonException.class, () -> {
            try (JsonParser p = PARSER.createParser(ObjectReadContext.empty(),
                    new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)))) {
                while (p.nextToken() != null) {
                    // reads to the end or the error
                }
            }
        });
        String message = JsonErrors.describe(e, 8);
        assertThat(message).startsWith("malformed JSON").contains(fragments);
        noInternals(message);
    }

    static Stream<Arguments> binding() {
        return Stream.of(
            Arguments.of("{\"ready\":\"x\"}", "ready: expected true or false, got the string \"x\""),
            Arguments.of("{\"ready\":[1]}", "ready: expected true or false, got an array"),
            Arguments.of("{\"count\":\"abc\"}", "count: expected an integer, got the string \"abc\""),
            Arguments.of("{\"ids\":[1,\"a\"]}", "ids[1]: expected an integer, got the string \"a\""),
            Arguments.of("{\"ids\":{}}", "ids: expected an array, got an object"),
            Arguments.of("[1]", "the body: expected an object, got an array"));
    }

    @ParameterizedTest
    @MethodSource("binding")
    void bindingErrorsNameTheFieldExpectedAndActual(String json, String expected) {
        JacksonException e = catchThrowableOfType(JacksonException.class,
                () -> JsonMapper.builder().build().readValue(json, Index.class));
        String message = JsonErrors.describe(e, 8);
        assertThat(message).isEqualTo(expected);
        noInternals(message);
    }

    @Test
    void aSecondValueAfterTheDocumentIsNamedAsSuchNotAsABindingProblem() {
        JacksonException e = catchThrowableOfType(JacksonException.class,
                () -> JsonMapper.builder().build().readTree("{\"a\":1}\n{\"b\":2}"));
        String message = JsonErrors.describe(e, 8);
        assertThat(message).isEqualTo("malformed JSON at line 2, column 1: a second JSON value (an object) after the"
                + " first one; expected a single value and then the end of the document");
        noInternals(message);
    }

    @Test
    void aLengthLimitIsPlacedByTheParserThatHitIt() {
        for (String json : new String[] {"{\"x\":{\"seed\":1" + "1".repeat(500) + "}}",
            "{\"x\":{\"a\":1,\"" + "k".repeat(500) + "\":1}}"}) {
            JsonFactory f = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                    .maxNumberLength(400).maxNameLength(400).build()).build();
            JsonParser[] parser = new JsonParser[1];
            JacksonException e = catchThrowableOfType(JacksonException.class, () -> {
                try (JsonParser p = f.createParser(ObjectReadContext.empty(), json)) {
                    parser[0] = p;
                    while (p.nextToken() != null) {
                        // reads to the error
                    }
                }
            });
            String message = JsonErrors.describe(e, 8, parser[0]);
            assertThat(message).as(json).matches(json.contains("seed")
                    ? "malformed JSON at x\\.seed \\(line 1, column \\d+\\): a number is longer than 400 characters"
                    : "malformed JSON at x \\(line 1, column \\d+\\): a field name is longer than 400 characters");
            noInternals(message);
        }
    }

    static void noInternals(String message) {
        NoInternals.check(message);
        assertThat(message).doesNotContain("java.", "`", "Source", "REDACTED", "Feature", "Exception", "code ",
                "StreamRead", "tools.jackson", "io.nabla", "JsonToken");
    }
}
