package dev.chatproxy.system;

import java.util.Objects;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;

/**
 * Request ids and access logs around every request, and CORS for browser frontends
 * (rejections in the error envelope).
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

	private final CorsProperties cors;

	WebConfiguration(CorsProperties cors) {
		this.cors = cors;
	}

	@Bean
	FilterRegistrationBean<RequestIds> requestIds() {
		FilterRegistrationBean<RequestIds> registration = new FilterRegistrationBean<>(new RequestIds());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

	@Bean
	FilterRegistrationBean<AccessLog> accessLog() {
		FilterRegistrationBean<AccessLog> registration = new FilterRegistrationBean<>(new AccessLog());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
		return registration;
	}

	@Bean
	FilterRegistrationBean<PathParameterGuard> pathParameterGuard() {
		FilterRegistrationBean<PathParameterGuard> registration = new FilterRegistrationBean<>(
				new PathParameterGuard());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
		return registration;
	}

	/** Answers CORS rejections in the error envelope, on every handler mapping. */
	@Bean
	static BeanPostProcessor problemCorsRejections() {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				if (bean instanceof AbstractHandlerMapping handlerMapping) {
					handlerMapping.setCorsProcessor(new ProblemCorsProcessor());
				}
				return bean;
			}

		};
	}

	@Bean
	MeterBinder accessLogDrops(FilterRegistrationBean<AccessLog> accessLog) {
		AccessLog filter = Objects.requireNonNull(accessLog.getFilter(), "the access log filter");
		return (registry) -> FunctionCounter.builder("chatproxy.access.log.dropped", filter, AccessLog::droppedLines)
			.description("Access-log lines dropped because the log output could not keep up")
			.register(registry);
	}

	@Override
	public void addCorsMappings(CorsRegistry registry) {
		if (!this.cors.allowedOrigins().isEmpty()) {
			registry.addMapping("/attendees/**")
				.allowedOrigins(this.cors.allowedOrigins().toArray(String[]::new))
				.allowedMethods("GET", "HEAD")
				.allowedHeaders(HttpHeaders.AUTHORIZATION, HttpHeaders.IF_NONE_MATCH, HttpHeaders.CACHE_CONTROL,
						RequestIds.HEADER)
				.exposedHeaders(ProxyHeaders.CACHE_STATUS, HttpHeaders.ETAG, HttpHeaders.AGE, HttpHeaders.RETRY_AFTER,
						RequestIds.HEADER)
				.allowCredentials(false)
				.maxAge(3600);
		}
	}

}
