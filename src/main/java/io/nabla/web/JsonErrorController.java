package io.nabla.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The container's error page ({@code /error}), reached for failures outside Spring MVC (a filter that threw, a
 * {@code sendError}); it answers {@code {"error": "..."}} like every other error instead of Spring Boot's default.
 * It is not an endpoint of the API: asked for directly (not as the container's error dispatch) it answers 404 like
 * any unknown path, instead of a 500 for an error that never happened.
 */
@RestController
@Hidden
class JsonErrorController implements ErrorController {

    @RequestMapping("/error")
    ResponseEntity<ErrorBody> error(HttpServletRequest request) {
        if (request.getDispatcherType() != DispatcherType.ERROR) {
            return ApiExceptionHandler.error(HttpStatus.NOT_FOUND, "no endpoint " + request.getMethod() + " "
                    + request.getRequestURI());
        }
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object thrown = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        for (Throwable t = thrown instanceof Throwable th ? th : null; t != null; t = t.getCause()) {
            if (t instanceof BodyTooLargeException e) {
                return ApiExceptionHandler.error(HttpStatus.CONTENT_TOO_LARGE, e.getMessage());
            }
        }
        HttpStatus status = code instanceof Integer i && HttpStatus.resolve(i) != null ? HttpStatus.resolve(i)
                : HttpStatus.INTERNAL_SERVER_ERROR;
        String text = message instanceof String s && !s.isBlank() ? s : status.getReasonPhrase();
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        return ApiExceptionHandler.error(status, text + (uri == null ? "" : " (" + uri + ")"));
    }
}
