package dev.chatproxy.chats;

import java.util.ArrayList;
import java.util.List;

import dev.chatproxy.system.CorsProperties;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Lets the chats endpoint return a {@link ChatsAnswer} and take the lookup the filter
 * made, and answers its cache hits before Spring MVC.
 */
@Configuration(proxyBeanMethods = false)
class ChatsWebConfiguration {

	/**
	 * The {@link CachedHitFilter} on the chats route, right after Spring Security's
	 * filters, so that a caller's token scopes the page it reads; the filters of the
	 * request id, access log and metrics come before both.
	 */
	@Bean
	FilterRegistrationBean<CachedHitFilter> cachedHitFilter(ObjectProvider<ChatsPages> pages, CorsProperties cors,
			ObjectProvider<SecurityFilterProperties> security) {
		FilterRegistrationBean<CachedHitFilter> registration = new FilterRegistrationBean<>(
				new CachedHitFilter(pages, CorsHeaders.of(ChatsApiConfiguration.corsConfiguration(cors))));
		registration.addUrlPatterns("/attendees/*");
		int securityOrder = security.getIfAvailable(SecurityFilterProperties::new).getOrder();
		registration.setOrder(securityOrder + 1);
		return registration;
	}

	/**
	 * Resolves the endpoint's {@link ChatsPages.Lookup} argument, from the
	 * {@link CachedHitFilter}'s when it made one.
	 */
	@Bean
	WebMvcConfigurer chatsLookupArgumentResolver(ObjectProvider<ChatsPages> pages) {
		return new WebMvcConfigurer() {

			@Override
			public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
				resolvers.add(new LookupArgumentResolver(pages));
			}

		};
	}

	/**
	 * Puts the {@link ChatsAnswer} handler first: after Spring MVC's own, the
	 * {@code @ResponseBody} handler would write the answer itself as JSON.
	 */
	@Bean
	static BeanPostProcessor chatsAnswerReturnValueHandler() {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getReturnValueHandlers() != null) {
					List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>(adapter.getReturnValueHandlers());
					handlers.add(0, new ChatsAnswerReturnValueHandler(handlers));
					adapter.setReturnValueHandlers(handlers);
				}
				return bean;
			}

		};
	}

}
