package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Triton's classification extension: an output asked with {@code parameters.classification: k} answers, per row,
 * the k largest values as BYTES strings {@code "value:index"} ({@code "value:index:label"} where the spec names the
 * classes), largest first, in JSON or as binary BYTES elements; a count below 1 or an output of another rank is a 400.
 */
class ClassificationIT extends ServerTestBase {

    private static final String INPUT = "{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP32\","
            + "\"data\":[1,3,2,0.5,4,1,1,2]}";

    @Test
    void theLargestClassesOfEachRowAnswerAsStrings() {
        scaleModel("classes", 1);
        JsonNode out = http.postJson("/v2/models/classes/infer", "{\"inputs\":[" + INPUT + "],\"outputs\":[{\"name\":"
                + "\"output\",\"parameters\":{\"classification\":2}}]}").json().get("outputs").get(0);
        assertThat(out.get("datatype").stringValue()).isEqualTo("BYTES");
        assertThat(out.get("shape").toString()).isEqualTo("[2,2]");
        assertThat(out.get("data").toString()).as("ties (1 and 1 in row 2) are not reached; largest first")
                .isEqualTo("[\"3.000000:1\",\"2.000000:2\",\"4.000000:0\",\"2.000000:3\"]");
        JsonNode all = http.postJson("/v2/models/classes/infer", "{\"inputs\":[" + INPUT + "],\"outputs\":[{\"name\":"
                + "\"output\",\"parameters\":{\"classification\":9}}]}").json().get("outputs").get(0);
        assertThat(all.get("shape").toString()).as("more than there are: all of them").isEqualTo("[2,4]");
        assertThat(all.get("data").get(6).stringValue()).as("a tie goes to the smaller index").isEqualTo("1.000000:1");
        assertThat(all.get("data").get(7).stringValue()).isEqualTo("1.000000:2");
    }

    @Test
    void asBinaryDataEachStringIsItsLengthAndItsBytes() {
        scaleModel("classes-bin", 2);
        Http.Reply r = http.postJson("/v2/models/classes-bin/infer", "{\"inputs\":[" + INPUT + "],\"outputs\":[{"
                + "\"name\":\"output\",\"parameters\":{\"classification\":1,\"binary_data\":true}}]}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        int headerLength = Integer.parseInt(r.header("Inference-Header-Content-Length"));
        JsonNode header = Http.JSON.readTree(new String(r.body(), 0, headerLength, StandardCharsets.UTF_8));
        JsonNode out = header.get("outputs").get(0);
        assertThat(out.get("datatype").stringValue()).isEqualTo("BYTES");
        assertThat(out.get("shape").toString()).isEqualTo("[2,1]");
        ByteBuffer b = ByteBuffer.wrap(r.body(), headerLength, r.body().length - headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(out.get("parameters").get("binary_data_size").intValue()).isEqualTo(b.remaining());
        List<String> values = new ArrayList<>();
        while (b.hasRemaining()) {
            byte[] s = new byte[b.getInt()];
            b.get(s);
            values.add(new String(s, StandardCharsets.UTF_8));
        }
        assertThat(values).containsExactly("6.000000:1", "8.000000:0");
    }

    @Test
    void aBadCountOrAnOutputOfAnotherRankIsRefused() {
        scaleModel("classes-bad", 1);
        Http.Reply zero = http.postJson("/v2/models/classes-bad/infer", "{\"inputs\":[" + INPUT + "],\"outputs\":[{"
                + "\"name\":\"output\",\"parameters\":{\"classification\":0}}]}");
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.error()).isEqualTo("outputs[0].parameters.classification must be an integer from 1 to 65536, "
                + "got 0");
        create("classes-3d", """
                {"inputs": [{"name": "ids", "datatype": "INT64", "shape": [-1, 2]}],
                 "outputs": [{"name": "out", "datatype": "FP32", "shape": [-1, 2, 3]}],
                 "layers": [{"type": "Embedding", "num_embeddings": 5, "embedding_dim": 3}]}""", null);
        Http.Reply rank = http.postJson("/v2/models/classes-3d/infer", "{\"inputs\":[{\"name\":\"ids\",\"shape\":"
                + "[1,2],\"datatype\":\"INT64\",\"data\":[0,1]}],\"outputs\":[{\"name\":\"out\",\"parameters\":"
                + "{\"classification\":2}}]}");
        assertThat(rank.status()).isEqualTo(400);
        assertThat(rank.error()).isEqualTo("output 'out': parameters.classification needs an output of shape (classes) "
                + "or (rows, classes), got [1, 2, 3]");
    }

    /**
     * An output whose spec names its classes ({@code labels}, Triton's label file) answers {@code "value:index:label"};
     * labels that do not match the output's classes are a 400 at upload.
     */
    @Test
    void anOutputWithLabelsAnswersWithTheClassNames() {
        create("classes-labelled", SCALE_SPEC.replace("\"outputs\": [{\"name\": \"output\", \"datatype\": \"FP32\", "
                + "\"shape\": [-1, 4]}]", "\"outputs\": [{\"name\": \"output\", \"datatype\": \"FP32\", \"shape\": "
                + "[-1, 4], \"labels\": [\"cat\", \"dog\", \"bird\", \"fish, or not\"]}]"),
                Weights.diagonal("0.weight", 4, 1));
        JsonNode out = http.postJson("/v2/models/classes-labelled/infer", "{\"inputs\":[" + INPUT + "],\"outputs\":[{"
                + "\"name\":\"output\",\"parameters\":{\"classification\":2}}]}").json().get("outputs").get(0);
        assertThat(out.get("data").toString()).isEqualTo("[\"3.000000:1:dog\",\"2.000000:2:bird\","
                + "\"4.000000:0:cat\",\"2.000000:3:fish, or not\"]");
        JsonNode plain = http.postJson("/v2/models/classes-labelled/infer", "{\"inputs\":[" + INPUT + "]}").json()
                .get("outputs").get(0);
        assertThat(plain.get("datatype").stringValue()).as("without classification: the values").isEqualTo("FP32");
        Http.Reply wrong = http.createModel("classes-mislabelled", SCALE_SPEC.replace("\"outputs\": [{\"name\": "
                + "\"output\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}]", "\"outputs\": [{\"name\": \"output\", "
                + "\"datatype\": \"FP32\", \"shape\": [-1, 4], \"labels\": [\"cat\", \"dog\"]}]"),
                Weights.diagonal("0.weight", 4, 1));
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.error()).contains("outputs[0].labels: expected one label per class of an output of shape "
                + "(classes) or (rows, classes) with a fixed number of classes, got 2 labels for shape [-1, 4]");
        Http.Reply onInput = http.createModel("classes-input-labels", SCALE_SPEC.replace("\"inputs\": [{\"name\": "
                + "\"input\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}]", "\"inputs\": [{\"name\": \"input\", "
                + "\"datatype\": \"FP32\", \"shape\": [-1, 4], \"labels\": [\"a\", \"b\", \"c\", \"d\"]}]"),
                Weights.diagonal("0.weight", 4, 1));
        assertThat(onInput.status()).isEqualTo(400);
        assertThat(onInput.error()).contains("inputs[0].labels: unknown field; expected one of [name, datatype, shape]");
    }
}
