export * from './errors';
export * from './requests';
export * from './events';
export * from './bridge';
export * from './passphrase';
