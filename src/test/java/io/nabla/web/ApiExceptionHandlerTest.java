package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.apache.tomcat.util.http.fileupload.impl.FileCountLimitExceededException;
import org.apache.tomcat.util.http.fileupload.impl.FileSizeLimitExceededException;
import org.apache.tomcat.util.http.fileupload.impl.SizeLimitExceededException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;

/**
 * The limits Tomcat's multipart parser enforces all reach the handler as Spring's "maximum upload size exceeded"
 * (size -1): only a body over the size limit is a 413; too many parts or too long part headers are a 400. Each
 * message names the limit hit, with its value and property, and no library text.
 */
class ApiExceptionHandlerTest {

    private final ApiExceptionHandler handler = new ApiExceptionHandler();

    private static MaxUploadSizeExceededException spring(Exception tomcat) {
        return new MaxUploadSizeExceededException(-1, new InvalidParameterException(tomcat, 413));
    }

    @Test
    void aBodyOverTheSizeLimitIsA413NamingTheLimit() {
        ResponseEntity<ErrorBody> r = handler.uploadTooLarge(spring(new SizeLimitExceededException(
                "the request was rejected because its size (2000) exceeds the configured maximum (1000)", 2000, 1000)));
        assertThat(r.getStatusCode().value()).isEqualTo(413);
        assertThat(r.getBody().error()).isEqualTo("the multipart body is over the limit of 1000 bytes"
                + " (nabla.limits.max-body-size)");
        r = handler.uploadTooLarge(spring(new FileSizeLimitExceededException("too big", 3000, 1500)));
        assertThat(r.getStatusCode().value()).isEqualTo(413);
        assertThat(r.getBody().error()).contains("1500 bytes");
    }

    @Test
    void tooManyPartsIsA400NamingTheCount() {
        ResponseEntity<ErrorBody> r = handler.uploadTooLarge(spring(new FileCountLimitExceededException("attachment",
                50)));
        assertThat(r.getStatusCode().value()).isEqualTo(400);
        assertThat(r.getBody().error()).isEqualTo("the multipart body has more than 50 parts, the limit"
                + " (server.tomcat.max-part-count)");
    }

    @Test
    void aPartHeaderOverItsLimitIsA400NamingTheSize() {
        ResponseEntity<ErrorBody> r = handler.uploadTooLarge(spring(new SizeLimitExceededException(
                "Header section has more than 512 bytes (maybe it is not properly terminated)", 513, 512)));
        assertThat(r.getStatusCode().value()).isEqualTo(400);
        assertThat(r.getBody().error()).isEqualTo("the headers of a multipart part are longer than 512 bytes, the"
                + " limit (server.tomcat.max-part-header-size)");
    }

    @Test
    void aMissingBodyIsNamedWithoutTheJavaSignature() {
        HttpMessageNotReadableException e = new HttpMessageNotReadableException("Required request body is missing:"
                + " org.springframework.http.ResponseEntity<io.nabla.web.JobSchemas$Created>"
                + " io.nabla.web.JobsController.submit(java.lang.String)", (HttpInputMessage) null);
        ResponseEntity<ErrorBody> r = handler.unreadable(e);
        assertThat(r.getStatusCode().value()).isEqualTo(400);
        assertThat(r.getBody().error()).isEqualTo("the request body is missing; expected a JSON object");
    }

    @Test
    void anUnexpectedErrorDoesNotNameItsClass() {
        ResponseEntity<ErrorBody> r = handler.other(new IllegalStateException("secret /var/lib/nabla detail"));
        assertThat(r.getStatusCode().value()).isEqualTo(500);
        assertThat(r.getBody().error()).doesNotContain("IllegalStateException", "/var/lib", "java.");
    }

    @Test
    void aClientThatLeftGetsNoAnswerAndNoErrorLogged() {
        IOException pipe = new IOException("Broken pipe");
        assertThat(handler.io(new UncheckedIOException(pipe))).isNull();
        assertThat(handler.other(new IllegalStateException("writing the answer", new IOException(
                "Connection reset by peer")))).isNull();
        // a real server fault is still a 500
        assertThat(handler.io(new UncheckedIOException(new IOException("No space left on device")))
                .getStatusCode().value()).isEqualTo(500);
        assertThat(handler.other(new IllegalStateException("boom")).getStatusCode().value()).isEqualTo(500);
    }
}
