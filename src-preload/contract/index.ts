export * from './errors';
export * from './requests';
export * from './store';
export * from './events';
export * from './bridge';
export * from './passphrase';
