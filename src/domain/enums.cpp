#include "domain/describe.hpp"

namespace selfservice {

template <typename E>
std::string_view EnumName(E value) {
  std::string_view name = "";
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
    if (d.value == value) name = WireName(d.name);
  });
  return name;
}

template <typename E>
std::optional<E> ParseEnum(std::string_view name) {
  std::optional<E> found;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
    if (!found && name == WireName(d.name)) found = d.value;
  });
  return found;
}

#define SELFSERVICE_ENUM_INSTANTIATE(E)                  \
  template std::string_view EnumName<E>(E);              \
  template std::optional<E> ParseEnum<E>(std::string_view);

SELFSERVICE_ENUM_INSTANTIATE(SessionType)
SELFSERVICE_ENUM_INSTANTIATE(SessionState)
SELFSERVICE_ENUM_INSTANTIATE(ResolutionStatus)
SELFSERVICE_ENUM_INSTANTIATE(InteractionType)
SELFSERVICE_ENUM_INSTANTIATE(FeedbackType)
SELFSERVICE_ENUM_INSTANTIATE(RelatedType)
SELFSERVICE_ENUM_INSTANTIATE(FeedbackState)
SELFSERVICE_ENUM_INSTANTIATE(ActionType)
SELFSERVICE_ENUM_INSTANTIATE(DeviceType)
SELFSERVICE_ENUM_INSTANTIATE(ArticleLang)
SELFSERVICE_ENUM_INSTANTIATE(PublicationStatus)
SELFSERVICE_ENUM_INSTANTIATE(TicketStatus)
SELFSERVICE_ENUM_INSTANTIATE(TicketEventType)
SELFSERVICE_ENUM_INSTANTIATE(UploadStatus)
SELFSERVICE_ENUM_INSTANTIATE(ComponentStatus)
SELFSERVICE_ENUM_INSTANTIATE(MaintenanceStatus)
SELFSERVICE_ENUM_INSTANTIATE(IncidentStatus)
SELFSERVICE_ENUM_INSTANTIATE(AccountStatus)
#undef SELFSERVICE_ENUM_INSTANTIATE

int FeedbackStatusCode(FeedbackState state) {
  switch (state) {
    case FeedbackState::pending: return 1;
    case FeedbackState::processing: return 2;
    case FeedbackState::processed: return 3;
    case FeedbackState::closed: return 4;
    case FeedbackState::needs_info: return 5;
    case FeedbackState::reprocessing: return 6;
  }
  return 0;
}

const std::vector<std::string_view>& FeedbackDimensions() {
  static const std::vector<std::string_view> kDimensions = {"resolution", "speed", "attitude", "knowledge", "ease"};
  return kDimensions;
}

const std::vector<std::string_view>& KnownFeatures() {
  static const std::vector<std::string_view> kFeatures = {
      "faq_search", "ai_chat", "tickets", "documents", "service_status", "feedback", "analytics"};
  return kFeatures;
}

}  // namespace selfservice
