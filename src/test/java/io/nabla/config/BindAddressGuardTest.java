package io.nabla.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BindAddressGuardTest {

    @Test
    void loopbackAddressesNeedNoTokens() {
        for (String a : new String[] {"127.0.0.1", "::1", "localhost", "127.0.0.2"}) {
            assertThatCode(() -> BindAddressGuard.check(a, false)).as(a).doesNotThrowAnyException();
        }
    }

    @Test
    void anyOtherAddressWithoutTokensIsRefusedSayingWhy() {
        assertThatThrownBy(() -> BindAddressGuard.check("0.0.0.0", false))
                .isInstanceOf(InsecureBindingException.class)
                .hasMessageContaining("refusing to listen on 0.0.0.0 without API tokens")
                .hasMessageContaining("nabla.security.tokens");
        assertThatThrownBy(() -> BindAddressGuard.check(null, false))
                .hasMessageContaining("every network interface");
        assertThatThrownBy(() -> BindAddressGuard.check("10.1.2.3", false)).hasMessageContaining("10.1.2.3");
        assertThatThrownBy(() -> BindAddressGuard.check("::", false)).isInstanceOf(InsecureBindingException.class);
    }

    @Test
    void tokensAllowAnyAddress() {
        assertThatCode(() -> BindAddressGuard.check("0.0.0.0", true)).doesNotThrowAnyException();
    }

    @Test
    void theFailureReportSaysWhatToDo() {
        var analysis = new InsecureBindingFailureAnalyzer().analyze(new InsecureBindingException("0.0.0.0"));
        assertThat(analysis.getDescription()).contains("0.0.0.0", "no API tokens");
        assertThat(analysis.getAction()).contains("nabla.security.tokens", "server.address=127.0.0.1");
    }
}
