package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmokeIT extends ServerTestBase {

    @Test
    void serverAnswers() {
        Http.Reply r = http.get("/v2");
        assertThat(r.status()).isEqualTo(200);
        System.out.println(r.text());
        scaleModel("smoke", 2.0);
        Http.Reply inf = http.postJson("/v2/models/smoke/infer",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
        System.out.println(inf.status() + " " + inf.text());
        System.out.println(http.get("/v1/devices").text());
        System.out.println(http.get("/v2/nope").text());
        System.out.println(http.get("/v3/api-docs").text());
    }
}
