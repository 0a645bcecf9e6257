// Bodies of the identity URL and the OpenID userinfo endpoint.
import type { EmulatorState, Org, UserAccount } from '../store.js';
import { LATEST_API_VERSION } from '../rest/versions.js';

function urls(state: EmulatorState, org: Org, user: UserAccount) {
  const base = `${state.productionUrl}/services/data/v{version}`;
  return {
    enterprise: `${state.productionUrl}/services/Soap/c/{version}/${org.id}`,
    metadata: `${state.productionUrl}/services/Soap/m/{version}/${org.id}`,
    partner: `${state.productionUrl}/services/Soap/u/{version}/${org.id}`,
    rest: `${base}/`,
    sobjects: `${base}/sobjects/`,
    search: `${base}/search/`,
    query: `${base}/query/`,
    recent: `${base}/recent/`,
    profile: `${state.productionUrl}/${user.id}`,
    custom_domain: state.productionUrl,
  };
}

export function identityBody(state: EmulatorState, org: Org, user: UserAccount) {
  return {
    id: `${state.loginUrl(org.settings.environment)}/id/${org.id}/${user.id}`,
    asserted_user: true,
    user_id: user.id,
    organization_id: org.id,
    username: user.username,
    nick_name: user.username.split('@')[0],
    display_name: `${user.firstName} ${user.lastName}`.trim(),
    email: user.email,
    email_verified: true,
    first_name: user.firstName,
    last_name: user.lastName,
    timezone: org.settings.timezone,
    photos: { picture: `${state.productionUrl}/img/userprofile/default_profile_200.png`, thumbnail: `${state.productionUrl}/img/userprofile/default_profile_45.png` },
    active: true,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
    urls: urls(state, org, user),
    is_app_installed: true,
    last_modified_date: new Date(org.now()).toISOString().replace('Z', '+0000'),
    api_version: LATEST_API_VERSION,
  };
}

export function userInfoBody(state: EmulatorState, org: Org, user: UserAccount) {
  return {
    sub: `${state.loginUrl(org.settings.environment)}/id/${org.id}/${user.id}`,
    user_id: user.id,
    organization_id: org.id,
    preferred_username: user.username,
    nickname: user.username.split('@')[0],
    name: `${user.firstName} ${user.lastName}`.trim(),
    email: user.email,
    email_verified: true,
    given_name: user.firstName,
    family_name: user.lastName,
    zoneinfo: org.settings.timezone,
    active: true,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
    urls: urls(state, org, user),
    is_app_installed: true,
    updated_at: new Date(org.now()).toISOString().replace('.000', ''),
  };
}
