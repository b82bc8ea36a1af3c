package dev.chatproxy.system;

import java.util.Objects;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.server.observation.ServerRequestObservationConvention;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;

/**
 * Request ids and access logs around every request, the writer of the error envelope, and
 * CORS rejections in it (the mappings are the routes' packages' own).
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

	@Bean
	Problems problems(JsonMapper jsonMapper, ObjectProvider<ApiRoute> routes) {
		return new Problems(jsonMapper, routes);
	}

	@Bean
	FilterRegistrationBean<RequestIds> requestIds() {
		FilterRegistrationBean<RequestIds> registration = new FilterRegistrationBean<>(new RequestIds());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

	@Bean
	FilterRegistrationBean<AccessLog> accessLog(AccessLogProperties properties) {
		FilterRegistrationBean<AccessLog> registration = new FilterRegistrationBean<>(
				new AccessLog(properties.hitSampling()));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
		return registration;
	}

	@Bean
	FilterRegistrationBean<PathParameterFilter> pathParameterFilter(ObjectProvider<ApiRoute> routes) {
		FilterRegistrationBean<PathParameterFilter> registration = new FilterRegistrationBean<>(
				new PathParameterFilter(routes.orderedStream().toList()));
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

	/** The inbound request's span: its {@code Cache-Status}, no ids unless allowed. */
	@Bean
	ServerRequestObservationConvention serverTracingConvention(TracingProperties tracing) {
		return new ServerTracingConvention(tracing.includeIds());
	}

	@Bean
	MeterBinder accessLogDrops(FilterRegistrationBean<AccessLog> accessLog) {
		AccessLog filter = Objects.requireNonNull(accessLog.getFilter(), "the access log filter");
		return (registry) -> FunctionCounter.builder("chatproxy.access.log.dropped", filter, AccessLog::droppedLines)
			.description("Access-log lines dropped because the log output could not keep up")
			.register(registry);
	}

}
